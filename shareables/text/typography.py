"""Typographic text: curly quotes, dashes and ellipses per language; accent markup spans.

Runs before layout, on the text a design gives: `parse_markup(smart_typography(text, lang), hl)`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..project.language import QUOTES as _QUOTES


@dataclass(frozen=True)
class Span:
    """A piece of text, drawn in the accent colour when `accent` is true."""

    text: str
    accent: bool = False


_MAQAF_PREFIX = re.compile(r"(?<![\u05d0-\u05ea\u05f3])([ובכלמשה]{1,3})-(?=[0-9])")
_PAIRS = {"“": "”", "„": "“", "«": "»", "»": "«", "‘": "’", "‚": "‘", "”": "“", '"': '"',
          "‹": "›"}
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
_OPENING_CONTEXT = set(" \t\n\u00a0\u202f([{<«‹„“‘—–-/")
_HEBREW = re.compile(r"[\u05d0-\u05ea]")


def smart_typography(text: str, lang: str) -> str:
    """Curly quotes and apostrophes, en/em dashes and ellipses as `lang` writes them.

    `---` becomes an em dash, `--` and a spaced hyphen (` - `) the spaced en dash the
    organisation's texts use, with a no-break space before it so a dash never starts a line;
    `...` an ellipsis. Straight quotes open after a space, bracket or dash and close
    elsewhere. In Hebrew, `"` and `'` inside words become gershayim ״ and geresh ׳ (צה״ל).
    URLs and e-mail addresses are left alone; Arabic ، ؟ ؛ are kept.
    """
    q_open, q_close, s_open, s_close = _QUOTES.get(lang.split("-")[0].lower(), _QUOTES["en"])
    hebrew = lang.split("-")[0].lower() in ("he", "yi")
    out: list[str] = []
    pos = 0
    for m in _URL.finditer(text):
        out.append(_smarten(text[pos : m.start()], q_open, q_close, s_open, s_close, hebrew,
                            text[m.start() - 1] if m.start() else ""))
        out.append(m.group())
        pos = m.end()
    out.append(_smarten(text[pos:], q_open, q_close, s_open, s_close, hebrew,
                        text[pos - 1] if pos else ""))
    return "".join(out)


def quote_marks(lang: str) -> tuple[str, str]:
    """The language's (opening, closing) double quotation marks, in logical order.

    In right-to-left text a mirrored mark (« ») shows as its mirror image, so an Arabic
    opening « sits at the right start of the line looking like ».
    """
    q_open, q_close, _, _ = _QUOTES.get(lang.split("-")[0].lower(), _QUOTES["en"])
    return q_open.strip("\u202f"), q_close.strip("\u202f")


def unquote(text: str) -> str:
    """The text without one pair of quotation marks around all of it, if it has one.

    A quote card draws its own decorative mark; a quote typed as “…” (or «…», „…“, "…")
    would otherwise be quoted twice. Quotes inside the text, or around only part of it, stay.
    """
    t = text.strip()
    if len(t) < 2 or t[0] not in _PAIRS:
        return text
    close = _PAIRS[t[0]]
    end = len(t)
    while end > 1 and t[end - 1] in ".!?؟۔…":  # “Ceasefire now”. — the stop stays outside
        end -= 1
    if t[end - 1] != close and not (t[0] in "“”\"" and t[end - 1] in "“”\""):
        return text
    inner = t[1 : end - 1]
    if any(ch in inner for ch in (t[0], close)):  # “a” and “b”: two quotes, not one
        return text
    return (inner.strip() + t[end:]).strip()


def _smarten(
    s: str, q_open: str, q_close: str, s_open: str, s_close: str, hebrew: bool, before: str
) -> str:
    s = s.replace("...", "…").replace("---", "—")
    if hebrew:
        s = _MAQAF_PREFIX.sub("\\1\u05be", s)
    s = re.sub(r"[ \u00a0]*--[ \u00a0]*", "\u00a0– ", s)
    s = re.sub(r"(?<=\S) +[-–] +(?=\S)", "\u00a0– ", s)  # spaced hyphen/en dash: keep with prev
    chars = list(s)
    for i, ch in enumerate(chars):
        if ch not in "\"'":
            continue
        # **markup** markers are invisible to the quote logic: look past them
        k = i - 1
        while k >= 0 and chars[k] == "*":
            k -= 1
        prev = chars[k] if k >= 0 else ("" if i and chars[0] == "*" else before)
        k = i + 1
        while k < len(chars) and chars[k] == "*":
            k += 1
        nxt = chars[k] if k < len(chars) else ""
        if hebrew and _HEBREW.match(prev or " "):
            if ch == '"' and _HEBREW.match(nxt or " "):
                chars[i] = "\u05f4"  # gershayim in acronyms
                continue
            if ch == "'":
                chars[i] = "\u05f3"  # geresh
                continue
        opening = prev == "" or prev in _OPENING_CONTEXT
        if ch == '"':
            chars[i] = q_open if opening else q_close
        elif opening and not nxt[:1].isdigit():  # ’90s is an apostrophe, not a quote
            chars[i] = s_open
        else:
            chars[i] = s_close if not prev.isalnum() or not nxt[:1].isalnum() else "’"
    return "".join(chars)


def parse_markup(text: str, highlight: Sequence[str] = ()) -> list[Span]:
    """Split text into spans; `**inline**` markup and `highlight` phrases become accent spans.

    Highlight phrases match case-insensitively, across straight or curly quotes and any
    run of whitespace; the `**` markers are removed (an unpaired `**` is kept as text).
    """
    plain: list[str] = []
    accent: list[bool] = []
    parts = text.split("**")
    if len(parts) % 2 == 0:  # odd number of markers: the last one is literal
        parts[-2:] = [parts[-2] + "**" + parts[-1]]
    for k, part in enumerate(parts):
        plain.extend(part)
        accent.extend([k % 2 == 1] * len(part))
    joined = "".join(plain)
    for phrase in highlight:
        if not phrase.strip():
            continue
        for m in re.finditer(_phrase_pattern(phrase), joined, re.IGNORECASE):
            accent[m.start() : m.end()] = [True] * (m.end() - m.start())
    spans: list[Span] = []
    for ch, acc in zip(joined, accent, strict=True):
        if spans and spans[-1].accent == acc:
            spans[-1] = Span(spans[-1].text + ch, acc)
        else:
            spans.append(Span(ch, acc))
    return spans


def _phrase_pattern(phrase: str) -> str:
    out = []
    for ch in phrase.strip():
        if ch in "'’‘":
            out.append("['’‘׳]")
        elif ch in '"“”«»„':
            out.append('["“”«»„״]\u202f?')
        elif ch.isspace():
            out.append(r"\s+")
        else:
            out.append(re.escape(ch))
    return "".join(out)
