"""Safe YAML loading that remembers where every value came from.

`safe_load` semantics only, plus what a plain safe_load lets through: duplicate keys
(silently last-wins in PyYAML), aliases (billion-laughs expansion bombs), files over a size
cap, non-text keys. Every value keeps its line/column so errors point at the exact spot.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import DesignError, ShareablesError
from .yamlhelp import explain

MAX_BYTES = 256 * 1024
"""Design and settings files are small; anything bigger is a mistake (or an attack)."""

MAX_DEPTH = 64

Path_ = tuple[str | int, ...]


@dataclass
class Doc:
    """Loaded data plus the (line, col) of every key and value, by path."""

    data: Any
    file: str
    value_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    sources: dict[Path_, str] = field(default_factory=dict)
    """The literal source text of scalars, for messages like "YAML reads `no` as false"."""
    comments: dict[Path_, tuple[int, int, str]] = field(default_factory=dict)
    """Unquoted values followed by ` #word` on their line: (line, col of `#`, the comment).
    YAML drops the comment, which silently cuts `caption: Stand with Sudan #Sudan`."""
    lines: list[str] = field(default_factory=list, repr=False)

    def where(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of a value (or its key), else of the nearest parent."""
        marks = self.key_marks if key else self.value_marks
        p = tuple(path)
        while True:
            if p in marks:
                return marks[p]
            if key and p in self.value_marks:
                return self.value_marks[p]
            if not p:
                return (1, 1)
            p = p[:-1]


# libyaml's parser (CSafeLoader) composes design files ~20x faster than the pure-Python one,
# which matters when a CI rebuild reads a thousand designs; same safe constructors either way.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_aliases(text: str) -> None:
    """Refuse aliases before anything is composed, so an expansion bomb never expands."""
    events = _Loader(text)
    try:
        while events.check_event():
            event = events.get_event()
            if isinstance(event, yaml.AliasEvent):
                raise _Refused(
                    "YAML aliases (*name) are not allowed in shareables files",
                    event.start_mark,
                    "write the value out in full",
                )
    finally:
        events.dispose()


class _Refused(Exception):
    def __init__(self, message: str, mark: Any, hint: str) -> None:
        super().__init__(message)
        self.message, self.mark, self.hint = message, mark, hint


def _pos(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: Path_, doc: Doc, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _Refused("nesting is too deep", node.start_mark, "flatten the structure")
    doc.value_marks[path] = _pos(node.start_mark)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves YAML merge keys (<<) the way safe_load does
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Refused("keys must be plain words", key_node.start_mark, "use `name: value`")
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = key_node.value
            if key in out:
                first = doc.key_marks[path + (key,)]
                raise _Refused(
                    f"duplicate key {key!r} (first at line {first[0]})",
                    key_node.start_mark,
                    "keep one of them",
                )
            doc.key_marks[path + (key,)] = _pos(key_node.start_mark)
            out[key] = _build(loader, value_node, path + (key,), doc, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, path + (i,), doc, depth + 1) for i, item in enumerate(node.value)
        ]
    doc.sources[path] = node.value
    if not getattr(node, "style", None) and node.value:  # plain (libyaml says "", PyYAML None)
        rest = doc.lines[node.end_mark.line][node.end_mark.column:] \
            if node.end_mark.line < len(doc.lines) else ""
        hashed = rest.lstrip(" \t")
        # `#Sudan` right after text is a hashtag YAML swallowed; `# note` is a real comment.
        if hashed[:1] == "#" and hashed[1:2].strip() and len(hashed) < len(rest):
            col = node.end_mark.column + len(rest) - len(hashed) + 1
            doc.comments[path] = (node.end_mark.line + 1, col, hashed.rstrip())
    value = loader.construct_object(node, deep=True)
    if isinstance(value, _dt.date | _dt.datetime):
        # Dates stay as the text the author wrote ("2024-05-21"), not Python objects.
        return node.value
    if isinstance(value, bytes):
        raise _Refused("binary values are not allowed", node.start_mark, "use text")
    return value


def load_text(text: str, file: str) -> Doc:
    """Parse YAML text into a Doc; raise DesignError with line/column on any problem."""
    doc = Doc(data=None, file=file, lines=text.splitlines())
    loader: yaml.SafeLoader | None = None
    try:
        _refuse_aliases(text)  # the reader also rejects control characters here
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is not None:
            doc.data = _build(loader, node, (), doc, 0)
    except _Refused as e:
        line, col = _pos(e.mark)
        raise DesignError(e.message, file=file, line=line, col=col, hint=e.hint) from None
    except yaml.MarkedYAMLError as e:
        plain = explain(e, text)
        if plain is not None:
            raise DesignError(f"not valid YAML: {plain.message}", file=file, line=plain.line,
                              col=plain.col, hint=plain.hint) from None
        mark = e.problem_mark or e.context_mark
        line, col = _pos(mark) if mark else (0, 0)
        problem = getattr(e, "problem", None) or getattr(e, "context", None) or "unreadable"
        if e.context and e.context_mark and e.problem:
            # "did not find expected ']'" at the end of the file is only useful together with
            # where the unclosed thing started.
            problem += f" ({e.context} started at line {e.context_mark.line + 1})"
        if "expected a single document" in str(e):
            problem = "only one YAML document per file"
        raise DesignError(
            f"not valid YAML: {problem}",
            file=file,
            line=line or None,
            col=col or None,
            hint="check indentation, colons and quotes around text with ': ' or '#'",
        ) from None
    except yaml.reader.ReaderError as e:
        code = e.character if isinstance(e.character, int) else ord(e.character)
        line = text.count("\n", 0, e.position) + 1
        raise DesignError(f"contains a control character (U+{code:04X})", file=file, line=line,
                          hint="remove it; copy-paste from some apps adds invisible characters"
                          ) from None
    except yaml.YAMLError as e:
        raise DesignError(f"not valid YAML: {e}", file=file) from None
    except (ValueError, OverflowError, TypeError) as e:
        # e.g. a timestamp-looking value that is not a real date (2024-13-45)
        raise DesignError(f"not valid YAML: {e}", file=file, hint="quote the value") from None
    except RecursionError:
        raise DesignError("nesting is too deep", file=file, hint="flatten the structure") from None
    finally:
        if loader is not None:
            loader.dispose()
    return doc


def load_file(path: Path, display: str, *, error: type[ShareablesError] = DesignError) -> Doc:
    """Read and parse one file with a size cap; errors name `display` (project-relative)."""
    return load_bytes(read_capped(path, display, error=error), display, error=error)


def read_capped(path: Path, display: str, *,
                error: type[ShareablesError] = DesignError) -> bytes:
    """A file's bytes, refused over the size cap (`load_file`'s reading)."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise error(
                f"file is too large ({size:,} bytes; the limit is {MAX_BYTES:,})",
                file=display,
                hint="a design is a few lines of YAML; split it or remove pasted data",
            )
        return path.read_bytes()
    except OSError as e:
        raise error(f"cannot read the file: {e.strerror}", file=display) from None


def load_bytes(raw: bytes, display: str, *,
               error: type[ShareablesError] = DesignError) -> Doc:
    """Parse a file's bytes (`load_file`'s parsing)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise error(
            f"not UTF-8 text (bad byte at offset {e.start})",
            file=display,
            hint="save the file as UTF-8",
        ) from None
    try:
        return load_text(text, display)
    except DesignError as e:
        if error is DesignError:
            raise
        raise error(e.message, file=e.file, line=e.line, col=e.col, hint=e.hint) from None
