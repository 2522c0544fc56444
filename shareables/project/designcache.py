"""Loaded designs kept between builds, so a rebuild re-reads only the design files that changed.

Loading a design (YAML, JSON Schema, content checks, caption counting) costs about a
millisecond; at 1,000 designs that is most of a no-change rebuild. The cache holds, per design
file, the `Design`s it gave, under:

- the SHA-256 of the file's bytes (read every build: content, never timestamps);
- a fingerprint of everything else a design is made from: the settings (themes, brand, fonts,
  platforms, motion: any edit to shareables.yaml reloads every design), this stage's source
  files, the platform table, the libraries that check and count, and Python's version;
- the background photo it names, still resolving to the same file (a symlink re-pointed or
  the photo deleted loads the design again, and reports it exactly as a fresh load would).

Only files that loaded without a problem are kept: a broken design is loaded again every
time, so its errors (file:line:col, hint) are always the loader's own. The cache is data,
never code (JSON of the model's own classes, decoded through an allow-list); anything
unreadable, from another version or not matching is ignored, never trusted over the file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from ..errors import DesignError, ShareablesError
from ..fingerprint import PACKAGE, add_code
from .model import Attribution, Background, Colors, Design, Fonts, Motion, Settings, Theme, Variant
from .sheets import MAX_SHEET_BYTES
from .warnings import DesignWarning
from .yamlload import MAX_BYTES

FORMAT = 2
"""2: JSON lines, the shared table first, then one line per design file, so that storing the
cache after an edit encodes the edited file's line and reuses the others' as they were."""
_DISTRIBUTIONS = ("pyyaml", "jsonschema", "openpyxl", "twitter-text-parser", "uniseg")
"""Libraries whose behaviour shapes a loaded design (parsing, checking, caption counting)."""
_CLASSES: dict[str, type] = {c.__name__: c for c in (
    Design, Variant, Theme, Colors, Fonts, Background, Attribution, Motion)}
_ERRORS: dict[str, type[ShareablesError]] = {c.__name__: c for c in (
    DesignWarning, DesignError)}
_SHARED = (Theme, Colors, Fonts, Background, Motion)
"""Value objects decoded once per distinct value: variants share them as a fresh load does
(the build's planner normalises each one once)."""
_ERROR_FIELDS = ("message", "file", "line", "col", "field", "hint")
_PLAIN = frozenset({str, int, float, bool, type(None)})
"""Field values that decode to themselves."""
_FIELDS = {name: tuple(f.name for f in dataclasses.fields(cls)) for name, cls in _CLASSES.items()}


class _Uncacheable(Exception):
    """A value the codec does not know: that file is simply loaded every time."""


def fingerprint(settings: Settings) -> str:
    """Hash of the settings, the loader's code and its libraries (see the module docstring)."""
    h = hashlib.sha256(f"format:{FORMAT}\npython:{sys.version}\n".encode())
    h.update(repr(settings).encode())
    sources = sorted(p for p in (PACKAGE / "project").rglob("*")
                     if p.is_file() and "__pycache__" not in p.parts)
    add_code(h, [*sources, PACKAGE / "platforms.py", PACKAGE / "errors.py"], _DISTRIBUTIONS)
    return h.hexdigest()


class DesignCache:
    """Per design file: [content hash, photo references, encoded designs].

    Themes, colours, fonts, backgrounds and motion settings are stored once in a shared
    table (`{"r": i}` refers to one), so a theme used by 1,000 designs is decoded once.
    """

    def __init__(self, data: bytes | None, settings: Settings) -> None:
        self.key = fingerprint(settings)
        self._old: dict[str, list[Any]] = {}
        self._table: list[Any] = []  # encoded shared values; entries refer to them by index
        self._decoded: dict[int, Any] = {}  # table index -> value (each decoded once)
        self._paths: dict[str, Path] = {}  # decoded paths, one object per path
        self._index: dict[Any, int] = {}  # value -> table index (for encoding)
        self._new: dict[str, list[Any]] = {}
        self._designs: dict[str, list[Design]] = {}
        self.hits = self.misses = 0
        self._hit: set[str] = set()
        self._lines: dict[str, str] = {}  # a file's stored line, reused while unchanged
        self._kept: set[str] = set()  # files whose entry is the stored one (cache hits)
        stored = _parse(data, self.key)
        if stored is not None:
            self._table, self._old, self._lines = stored
        self.known = bool(self._old)
        """Whether the last build's cache applies (False: none, or made under other settings,
        code or libraries: then no design's file is known to have changed or not)."""
        self._stored = len(self._table)

    def get(self, file: Path, sha: str) -> list[Design] | None:
        """The designs `file` gave when its bytes hashed to `sha`, if still valid."""
        name = os.fspath(file)
        entry = self._old.get(name)
        designs = None
        if (isinstance(entry, list) and len(entry) == 3 and entry[0] == sha
                and isinstance(entry[1], list) and isinstance(entry[2], list)):
            try:
                if all(_ref_state(ref) == state for ref, state in entry[1]):
                    designs = [self._decode(d) for d in entry[2]]
            except (TypeError, ValueError, KeyError, IndexError, OSError):
                designs = None
        if designs is None or not all(isinstance(d, Design) for d in designs):
            self.misses += 1
            return None
        self._new[name], self._designs[name] = list(entry or ()), designs
        self._kept.add(name)
        self.hits += 1
        self._hit.add(name)
        return designs

    def hit(self, file: Path) -> bool:
        """Whether `file`'s designs came from the cache in this load (not parsed again)."""
        return os.fspath(file) in self._hit

    def previous(self, file: Path) -> list[Design]:
        """The designs `file` gave at the last build, whatever its bytes are now ([]: none, or
        unreadable): what an edit of the file started from."""
        entry = self._old.get(os.fspath(file))
        if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[2], list)):
            return []
        try:
            designs = [self._decode(d) for d in entry[2]]
        except (TypeError, ValueError, KeyError, IndexError):
            return []
        return [d for d in designs if isinstance(d, Design)]

    def put(self, file: Path, sha: str, designs: list[Design], refs: list[str]) -> None:
        """Remember a file that loaded cleanly; `refs` are the photo paths it resolved."""
        try:
            encoded = [self._encode(d) for d in designs]
        except _Uncacheable:
            return
        name = os.fspath(file)
        self._new[name] = [sha, [[r, _ref_state(r)] for r in refs], encoded]
        self._designs[name] = designs
        self._kept.discard(name)

    @property
    def changed(self) -> bool:
        return self._new != self._old or len(self._table) != self._stored

    def export(self) -> bytes:
        """The cache to store: only the files this load saw (removed designs drop out).

        The shared table only grows between builds; once it holds far more values than the
        designs use, everything is encoded afresh.
        """
        if len(self._table) > 2 * len(self._new) + 64:
            self._table, self._index, self._decoded, self._kept = [], {}, {}, set()
            for name, designs in self._designs.items():
                self._new[name] = [*self._new[name][:2], [self._encode(d) for d in designs]]
        lines = [_line({"format": FORMAT, "key": self.key, "shared": self._table})]
        for name, entry in self._new.items():
            kept = self._lines.get(name) if name in self._kept else None
            lines.append(kept if kept is not None else _line([name, entry]))
        return "\n".join([*lines, ""]).encode()

    def _encode(self, value: Any) -> Any:
        if value is None or isinstance(value, (str, bool, int, float)):
            return value
        if isinstance(value, tuple):
            return [self._encode(v) for v in value]
        if isinstance(value, Path):
            return {"p": os.fspath(value)}
        name = type(value).__name__
        if _ERRORS.get(name) is type(value):
            return {"e": name, **{k: self._encode(getattr(value, k)) for k in _ERROR_FIELDS}}
        if _CLASSES.get(name) is not type(value):
            raise _Uncacheable(name)
        fields = {f: self._encode(getattr(value, f)) for f in _FIELDS[name]}
        if not isinstance(value, _SHARED):
            return {"c": name, "f": fields}
        if value not in self._index:
            self._index[value] = len(self._table)
            self._decoded[len(self._table)] = value
            self._table.append({"c": name, "f": fields})
        return {"r": self._index[value]}

    def _decode(self, value: Any) -> Any:
        if isinstance(value, list):
            return tuple([self._decode(v) for v in value])
        if not isinstance(value, dict):
            return value
        if "r" in value:
            i = value["r"]
            if i not in self._decoded:
                if not isinstance(i, int) or not 0 <= i < self._stored:
                    raise KeyError(i)
                obj = self._decode(self._table[i])
                self._decoded[i] = obj
                self._index.setdefault(obj, i)
            return self._decoded[i]
        if "p" in value:  # (the same file named by 1,000 designs: one Path)
            path = self._paths.get(value["p"])
            if path is None:
                path = self._paths[value["p"]] = Path(value["p"])
            return path
        if "e" in value:
            return _ERRORS[value["e"]](value["message"],
                                       **{k: value[k] for k in _ERROR_FIELDS[1:]})
        name, fields = value["c"], value["f"]
        if tuple(fields) != _FIELDS[name]:
            raise KeyError(name)
        # Every field is there and the class's code is in the key, so set them directly (a
        # frozen dataclass's __init__ sets each field through object.__setattr__: 3x slower).
        obj = object.__new__(_CLASSES[name])
        decode = self._decode
        obj.__dict__.update({k: v if v.__class__ in _PLAIN else decode(v)
                             for k, v in fields.items()})
        return obj


def _line(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _parse(data: bytes | None, key: str
           ) -> tuple[list[Any], dict[str, list[Any]], dict[str, str]] | None:
    """A stored cache as (shared table, entries by file, lines by file); None when missing,
    damaged, of another format or made for other settings or code."""
    if not data:
        return None
    try:
        head, _, rest = data.decode("utf-8").partition("\n")
        header = json.loads(head)
        if not (isinstance(header, dict) and header.get("format") == FORMAT
                and header.get("key") == key and isinstance(header.get("shared"), list)):
            return None
        lines = [line for line in rest.split("\n") if line]
        # One parse for all the lines (json.loads per line costs twice as much); each line
        # must be exactly one [name, entry] that starts with its own name.
        items = json.loads(f"[{','.join(lines)}]")
    except ValueError:
        return None
    if len(items) != len(lines):
        return None
    files: dict[str, list[Any]] = {}
    by_name: dict[str, str] = {}
    for item, line in zip(items, lines, strict=True):
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                and line.startswith(f"[{_line(item[0])},")):
            return None
        files[item[0]], by_name[item[0]] = item[1], line
    return header["shared"], files, by_name


def _ref_state(path: str) -> str | None:
    """Where a design's photo reference leads now (None: to no file): what
    Path(path).resolve() names, if it is a file."""
    target = os.path.realpath(path)
    return target if os.path.isfile(target) else None


def content_sha(file: Path) -> str | None:
    """SHA-256 of a design file; None when unreadable or too big (the loader says why)."""
    try:
        if file.stat().st_size > max(MAX_BYTES, MAX_SHEET_BYTES):
            return None
        return hashlib.sha256(file.read_bytes()).hexdigest()
    except OSError:
        return None
