"""YAML syntax errors in plain words: what is wrong, the line that causes it, the right shape.

PyYAML reports where its parser gave up ("mapping values are not allowed in this context",
one line after a missing colon); a communications officer needs the line they wrote wrong and
an example of what it should look like. `explain` maps each error the loader can raise to that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

CURLY_QUOTES = "“”‘’„«»"
_KEY_LINE = re.compile(r"^(\s*)(-\s+)?([\w.@-]+)\s*:\s?(.*)$")


@dataclass
class Explained:
    message: str
    line: int
    col: int | None
    hint: str


def _line(lines: list[str], n: int) -> str:
    return lines[n - 1] if 0 < n <= len(lines) else ""


def _shorten(s: str, n: int = 60) -> str:
    s = s.strip()
    return s if len(s) <= n else s[: n - 1] + "…"


def _quoted(value: str) -> str:
    """The value as a double-quoted YAML scalar (curly quotes at the ends become straight)."""
    v = value.strip()
    if len(v) >= 2 and v[0] in CURLY_QUOTES and v[-1] in CURLY_QUOTES:
        v = v[1:-1]
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def explain(e: Any, text: str) -> Explained | None:
    """Plain-words version of a PyYAML MarkedYAMLError, or None to keep the generic one."""
    lines = text.splitlines()
    problem = str(getattr(e, "problem", "") or "")
    context = str(getattr(e, "context", "") or "")
    pm, cm = e.problem_mark, e.context_mark
    p_line = pm.line + 1 if pm else 0
    p_col = pm.column + 1 if pm else 0
    c_line = cm.line + 1 if cm else p_line
    if "cannot start any token" in problem:
        ch = _line(lines, p_line)[p_col - 1 : p_col]
        if ch == "\t":
            return Explained(
                "there is a tab character here; YAML only accepts spaces for indentation",
                p_line, p_col, "replace the tab with spaces, e.g. two spaces before `name:` in "
                "`attribution:` ↵ `  name: Jamila Afghani`")
        m = _KEY_LINE.match(_line(lines, p_line))
        if m and ch in "@`":
            return Explained(
                f"a value cannot start with {ch} unless it is in quotes", p_line, p_col,
                f"write it as {m.group(3)}: {_quoted(m.group(4))}")
    if "could not find expected ':'" in problem:
        # The parser notices only at the next line; the key without its colon is where the
        # simple key started.
        bad = _line(lines, c_line).strip()
        words = bad.split(None, 1)
        shape = f"{words[0]}: {words[1]}" if len(words) == 2 else f"{bad}:"
        return Explained(f"`{_shorten(bad)}` is missing its colon", c_line,
                         (cm.column + 1) if cm else None,
                         f"every line is `key: value`; write it as `{_shorten(shape)}`")
    if "mapping values are not allowed" in problem:
        src = _line(lines, p_line)
        m = _KEY_LINE.match(src)
        if m:
            key, value = m.group(3), m.group(4)
            if value[:1] and value[:1] in CURLY_QUOTES:
                return Explained(
                    f"{key}: the text starts with a curly quote ({value[0]}), which YAML does not "
                    "treat as a quote, so the colon inside it looks like a new key",
                    p_line, len(m.group(1) + (m.group(2) or "") + key) + 3,
                    f"put straight quotes around the text: {key}: {_shorten(_quoted(value), 70)}")
            prev = _line(lines, p_line - 1)
            indent, prev_indent = len(m.group(1)), len(prev) - len(prev.lstrip())
            if p_line > 1 and indent != prev_indent and not prev.rstrip().endswith(":") \
                    and ": " not in value:
                return Explained(
                    f"`{key}:` is indented differently from the line above it", p_line,
                    indent + 1, f"line up `{key}:` with `{prev.strip().split(':')[0]}:` above it "
                    f"({prev_indent} spaces)")
            return Explained(
                f"{key}: the text contains a colon followed by a space, which YAML reads as a "
                "new key", p_line, p_col,
                f"put the whole text in quotes: {key}: {_shorten(_quoted(value), 70)}")
    if "did not find expected key" in problem or "expected <block end>" in problem:
        src = _line(lines, p_line)
        m = _KEY_LINE.match(src)
        if m and m.group(4)[:1] in "\"'":
            value = m.group(4)
            return Explained(
                f"{m.group(3)}: there is more text after the closing quote", p_line, p_col,
                f"quote the whole text, e.g. {m.group(3)}: '{value.replace(chr(39), chr(39) * 2)}'")
        return Explained(
            f"line {p_line} does not fit the lines above it (indentation or a missing `-`)",
            p_line, p_col, "each line is `key: value` lined up with its neighbours; list items "
            "start with `- ` at the same indentation")
    if "while scanning a quoted scalar" in context:
        return Explained(f"the quote opened on line {c_line} is never closed", c_line,
                         cm.column + 1 if cm else None,
                         "add the closing quote at the end of the text")
    if "while parsing a flow" in context:
        opener, closer = ("[", "]") if "sequence" in context else ("{", "}")
        start = _line(lines, c_line)
        m = _KEY_LINE.match(start)
        example = f"{m.group(3)}: [first, second]" if m and opener == "[" else \
            f"{m.group(3) if m else 'attribution'}: {{name: Jamila Afghani}}"
        return Explained(f"the {opener} opened on line {c_line} is never closed (or a comma is "
                         f"missing)", c_line, cm.column + 1 if cm else None,
                         f"end it with {closer} on the same line, e.g. `{example}`")
    if "unknown directive" in problem or "while scanning a directive" in context:
        return Explained("a line cannot start with %", p_line, 1,
                         "put the text in quotes, or write the key before it: `text: \"%…\"`")
    return None
