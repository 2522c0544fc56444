"""A manifest's artefact lines in its bytes, and the next manifest encoded reusing them.

A rebuild changes a few entries of tens of thousands: every unchanged one keeps the line the
previous file has for it (manifest_bytes's layout: one artefact a line), and only the rest
is encoded. The lines are found once, each checked to name its entry's path (or taken from
the snapshot of those very bytes, snapshot.py), and used by offset, never copied.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .manifest import _ENCODER, _HEAD, _assemble, manifest_bytes


def encode_reusing(manifest: dict[str, Any], previous: dict[str, Any] | None,
                   previous_bytes: bytes | None) -> bytes:
    """manifest_bytes(manifest), reusing the lines of `previous_bytes` (the encoding of
    `previous`) for every artefact whose entry is unchanged: a rebuild encodes what changed.

    The previous file's artefact lines are matched to its entries by position and checked by
    path, so a manifest laid out any other way is simply encoded in full.
    """
    if previous_bytes and manifest == previous:
        return previous_bytes
    lines = artefact_lines(previous_bytes, previous) if previous_bytes and previous else None
    return encode(manifest, previous, lines).data


class Lines:
    """Where each artefact's line is in a manifest's bytes, every line checked to be its
    entry's own: line i is data[starts[i]:starts[i + 1] - 1], "  {…}," (the last has no ",").

    Offsets, not copies: a line is a view into the bytes when it is used.
    """

    __slots__ = ("data", "starts", "view", "_at")

    def __init__(self, data: bytes, starts: Sequence[int]) -> None:
        self.data, self.starts = data, starts
        self.view = memoryview(data)
        self._at: dict[Any, int] | None = None

    def __len__(self) -> int:
        return len(self.starts) - 1

    def line(self, i: int) -> memoryview:
        return self.view[self.starts[i]:self.starts[i + 1] - 1]

    def index(self, artefacts: list[Any]) -> dict[Any, int]:
        """path -> position of the entries these lines encode (made once)."""
        if self._at is None:
            self._at = {e.get("path"): i for i, e in enumerate(artefacts)
                        if isinstance(e, dict)}
        return self._at


def artefact_lines(data: bytes, manifest: dict[str, Any]) -> Lines | None:
    """The artefact lines of `manifest` as manifest_bytes wrote it into `data`, each checked
    to name its entry's path; None for any other layout."""
    starts = _line_starts(data, manifest)
    old = manifest.get("artefacts")
    if starts is None or not isinstance(old, list) or len(starts) != len(old) + 1:
        return None
    find = _PATH_FIELD.search
    for i, a in enumerate(old):
        m = find(data, starts[i], starts[i + 1])  # the line must be the entry's own
        if m is None or not isinstance(a, dict) or m.group(1).decode() != a.get("path"):
            return None
    return Lines(data, starts)


@dataclass
class Encoded:
    """A manifest's bytes, with what a later build needs to reuse them (snapshot.py)."""

    data: bytes
    starts: list[int]
    """Offsets of its artefact lines (as Lines.starts; [] when not laid out at the top)."""
    taken: list[int | None]
    """Per artefact, the position of the previous entry whose line it reuses (the data of
    that line), or None: encoded anew."""
    fresh: int
    """How many artefacts were encoded anew."""


def encode(manifest: dict[str, Any], previous: dict[str, Any] | None,
           lines: Lines | None) -> Encoded:
    """manifest_bytes(manifest), an artefact equal to its previous entry taking that entry's
    line from `lines` (the previous file's, checked) instead of being encoded again.

    Consecutive reused lines are taken as one run, one view of the previous bytes (they are
    already joined by newlines there): a rebuild's manifest is a few dozen pieces.
    """
    new = manifest.get("artefacts")
    old = (previous or {}).get("artefacts")
    if not isinstance(new, list):
        return Encoded(manifest_bytes(manifest), [], [], 0)
    if lines is None or not isinstance(old, list):
        lines, old = Lines(b"", [0]), []
    at = lines.index(old)
    view, starts, last = lines.view, lines.starts, len(lines) - 1
    pieces: list[bytes | memoryview] = []
    spans: list[tuple[int, int] | int] = []  # per piece: its old lines [i, j), or its length
    taken: list[int | None] = []
    run = -1  # the first old line of the run being taken (pieces[-1]), -1: none
    for a in new:
        i = at.get(a.get("path"))
        if i is not None and (old[i] is a or old[i] == a):
            taken.append(i)
            if i == last:  # (the previous file's last line has no ",")
                pieces.append(bytes(view[starts[i]:starts[i + 1] - 1]) + b",")
                spans.append(len(pieces[-1]))
                run = -1
            elif run >= 0 and spans[-1] == (run, i):  # the next line of the run
                spans[-1] = (run, i + 1)
            else:
                run = i
                pieces.append(b"")
                spans.append((i, i + 1))
            continue
        taken.append(None)
        pieces.append(b"  " + _ENCODER.encode(a).encode() + b",")
        spans.append(len(pieces[-1]))
        run = -1
    for k, span in enumerate(spans):
        if isinstance(span, tuple):
            pieces[k] = view[starts[span[0]]:starts[span[1]] - 1]
    data = _assemble(manifest, pieces)
    return Encoded(data, _starts(data, spans, starts), taken, taken.count(None))


def _starts(data: bytes, spans: list[tuple[int, int] | int], old: Sequence[int]) -> list[int]:
    """Line offsets (Lines.starts) of the pieces `spans` describes (old lines [i, j) at
    offsets `old`, or a line of that length) as _assemble laid them out in `data` ([]: not
    at the top, where _line_starts looks)."""
    if not spans or not data.startswith(_HEAD):
        return []
    out: list[int] = []
    pos = len(_HEAD)
    for span in spans:
        if isinstance(span, int):
            out.append(pos)
            pos += span + 1
        else:
            i, j = span
            shift = pos - old[i]
            out += [s + shift for s in old[i:j]]
            pos += old[j] - old[i]
    out.append(pos - 1)  # the last line has lost its ","
    return out


def _line_starts(data: bytes, manifest: dict[str, Any]) -> list[int] | None:
    """Offsets (Lines.starts) of the artefact lines as manifest_bytes wrote them into
    `data`; None for any other layout."""
    head = _HEAD
    keys = sorted(manifest)
    if not data.startswith(head) or keys[:1] != ["artefacts"]:
        return None  # "artefacts" sorts first among the manifest's keys
    # The block ends where the next key's line starts; a raw newline cannot occur inside a
    # JSON string, so this is structure, and searching back from the end is short.
    tail = (b"\n ],\n " + _ENCODER.encode(keys[1]).encode() + b": ") if len(keys) > 1 \
        else b"\n ]\n}\n"
    end = data.rfind(tail)
    if end < len(head):
        return None
    starts, start = [], len(head)
    while start <= end:
        if not data.startswith(b"  {", start):
            return None
        starts.append(start)
        stop = data.find(b"\n", start, end)
        start = (end if stop < 0 else stop) + 1
    starts.append(start)
    return starts


_PATH_FIELD = re.compile(rb'"path":"([^"\\]*)"')


def unlisted(lines: Lines, gone: list[int]) -> list[memoryview | bytes] | None:
    """The manifest of `lines.data` without the artefacts at positions `gone` (ascending)
    and marked "incomplete" (the writer's unlisting), as pieces of those bytes: exactly
    manifest_bytes of it, cut and spliced instead of encoded (a rebuild unlists a few lines
    of tens of thousands). None when no artefact would be left or the keys after the
    artefacts are not laid out as manifest_bytes lays them."""
    data, starts, n = lines.data, lines.starts, len(lines)
    runs: list[tuple[int, int]] = []  # [i, j): kept lines
    start = 0
    for i in [*gone, n]:
        if i > start:
            runs.append((start, i))
        start = i + 1
    mark = _mark_at(data, starts[n] - 1)
    if not runs or mark is None:
        return None
    cut, insert = mark
    view = memoryview(data)
    parts: list[memoryview | bytes] = [view[:starts[0]]]
    for i, j in runs:  # each run of kept lines as it is, but for its last line's ",\n"
        parts += (view[starts[i]:starts[j] - 2 if j < n else starts[n] - 1], b",\n")
    parts[-1:] = [view[starts[n] - 1:cut], insert, view[cut:]]  # "\n ],\n", the other keys
    return parts


def _mark_at(data: bytes, start: int) -> tuple[int, bytes] | None:
    """Where the line '"incomplete": true' goes among the top-level keys after `start` (and
    what to insert there): before the first key sorting after it, else at the end."""
    pos = data.find(b'\n "', start)
    while pos >= 0:
        colon = data.find(b'": ', pos + 3)
        if colon < 0:
            return None
        try:
            key = json.loads(data[pos + 2:colon + 1])
        except ValueError:
            return None
        if key == "incomplete":
            line_end = data.find(b"\n", pos + 1)
            value = data[colon + 3:line_end]
            return (pos, b"") if value in (b"true,", b"true") else None
        if key > "incomplete":
            return pos, b'\n "incomplete": true,'
        pos = data.find(b'\n "', colon)
    end = len(data) - 3  # before "\n}\n": the last key's line gets its ","
    if data[end:] != b"\n}\n":
        return None
    return end, b',\n "incomplete": true'
