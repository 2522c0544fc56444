"""The manifest on disk as the last build left it, parsed, in output/.shareables/.

A rebuild reads the whole manifest first (every decision compares with it). Parsing 28 MB of
JSON at 1,000 designs, strings shared (manifest.parse_manifest), takes ~0.2 s; loading the
same objects from a `marshal` snapshot takes a fifth of that, and the snapshot also says
where each artefact's line is in the file (manifestlines.Lines), so encoding the next
manifest reuses them unchecked.

Two files: a base (manifest.snapshot: the artefact entries of some manifest, ~10 MB) and a
delta (manifest.delta: the manifest on disk as base entries by position, its own new
entries, everything outside the artefacts and the line offsets, ~1.5 MB). A rebuild that
changes a few designs rewrites the delta only; a new base once the delta holds many
entries of its own (REBASE).

The snapshot is trusted only for the exact bytes it was made from: the delta carries their
SHA-256, compared with the manifest read from disk, and its base's random token; each file
a CRC of its payload. A missing, damaged, stale (manifest edited, restored, replaced),
mismatched or other-Python snapshot is ignored: the build parses the JSON, as without one.
It holds nothing the manifest does not; `marshal` reads only plain data (never code that
runs) and the format is tied to the Python that wrote it.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import threading
import zlib
from array import array
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from . import collector
from .manifest import _HEAD, manifest_bytes, parse_manifest
from .manifestlines import Encoded, Lines, artefact_lines, encode

SNAPSHOT = "manifest.snapshot"
"""Its name in output/.shareables/ (build state: never published, never swept): the
artefact entries of some manifest, the base of the delta."""
DELTA = "manifest.delta"
"""The manifest on disk as the base's entries (by position) and its own: the small file a
rebuild rewrites (the base only when too much has changed since it was made)."""

_TAG = f"{sys.implementation.cache_tag} marshal {marshal.version}\n"
_BASE = f"shareables manifest snapshot 2 {_TAG}".encode()
_DELTA = f"shareables manifest delta 2 {_TAG}".encode()
FRESH_LIMIT = 2000
"""Most artefacts encoded anew (not reusing a line) that a snapshot is made with: each is
parsed back from its line (its data exactly as a reader of the file gets it), so a build
that re-encodes everything would hold the manifest twice; the next build parses the JSON
and makes the snapshot then."""
REBASE = 2000
"""Most entries a delta holds itself (not by position in its base): past it, a new base."""

Op = int | dict[str, Any]
"""An artefact in a delta: its position in the base, or the entry itself."""


class Loaded(NamedTuple):
    manifest: dict[str, Any]
    lines: Lines | None
    ops: list[Op]  # per artefact of `manifest`
    token: bytes  # the base's


def _framed(magic: bytes, head: bytes, payload: bytes) -> bytes:
    return b"".join((magic, head, zlib.crc32(payload).to_bytes(4, "big"), payload))


def _unframed(magic: bytes, size: int, data: bytes | None) -> tuple[bytes, Any] | None:
    """(the head of `size` bytes, the payload's data) of a framed file; None if damaged."""
    if not data or not data.startswith(magic):
        return None
    at = len(magic) + size
    head, crc, payload = data[len(magic):at], data[at:at + 4], memoryview(data)[at + 4:]
    if len(crc) < 4 or int.from_bytes(crc, "big") != zlib.crc32(payload):
        return None
    try:
        return head, marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None


def load(base: bytes | None, delta: bytes | None, data: bytes, digest: Callable[[], bytes]
         ) -> Loaded | None:
    """The manifest `data` parses to, its artefact lines and how the delta holds them, from
    a base and a delta made of these very bytes; None when either is missing or of anything
    else. `digest()` gives the SHA-256 of `data` (asked last: it can be hashing meanwhile)."""
    d = _unframed(_DELTA, 48, delta)
    b = _unframed(_BASE, 16, base)
    if d is None or b is None or d[0][32:] != b[0]:
        return None
    try:
        rest, ops, raw = d[1]
        entries = b[1]
        artefacts = [entries[o] if o.__class__ is int else o for o in ops]
        starts = array("Q")
        starts.frombytes(raw)
    except (ValueError, TypeError, IndexError):
        return None
    if not isinstance(rest, dict) or "artefacts" not in rest or digest() != d[0][:32]:
        return None
    rest["artefacts"] = artefacts
    lines = Lines(data, starts) if len(starts) == len(artefacts) + 1 else None
    return Loaded(rest, lines, ops, b[0])


def dump(parsed: dict[str, Any], digest: bytes, starts: Sequence[int],
         ops: list[Op] | None = None, token: bytes | None = None
         ) -> tuple[bytes | None, bytes, bytes]:
    """(a new base or None, the delta, the base's token) for the bytes with SHA-256
    `digest`, which parse to `parsed` and have their artefact lines at `starts`: `ops` says
    how the base with `token` holds them; a new base when there is none or it holds too
    little of them."""
    artefacts = parsed["artefacts"]
    base = None
    if ops is None or token is None or sum(o.__class__ is dict for o in ops) > REBASE:
        token = os.urandom(16)
        base = _framed(_BASE, token, marshal.dumps(artefacts))
        ops = list(range(len(artefacts)))
    rest = {**parsed, "artefacts": None}  # (in its place: the keys keep their order)
    delta = _framed(_DELTA, digest + token,
                    marshal.dumps((rest, ops, array("Q", starts).tobytes())))
    return base, delta, token


def as_read(encoded: Encoded, old: list[dict[str, Any]]) -> dict[str, Any] | None:
    """What parse_manifest(encoded.data) gives, without parsing all of it: an artefact whose
    line was reused is the entry read from that line before (in `old`), the others and
    everything outside the artefacts are parsed back from their bytes. None past
    FRESH_LIMIT."""
    data, starts, taken = encoded.data, encoded.starts, encoded.taken
    if encoded.fresh > FRESH_LIMIT or not taken or len(starts) != len(taken) + 1:
        return None
    end = starts[-1] - 1  # "\n ]" after the last artefact line
    rest = parse_manifest(data[:len(_HEAD) - 1] + data[end + 1:])
    if rest is None or rest.get("artefacts") != []:
        return None
    out: list[Any] = [None if i is None else old[i] for i in taken]
    if encoded.fresh:
        view = memoryview(data)
        at = [k for k, i in enumerate(taken) if i is None]
        lines = (view[starts[k]:starts[k + 1] - 1] for k in at)
        body = b",".join(x[:-1] if x[-1] == 0x2C else x for x in lines)  # 0x2C: ","
        parsed = parse_manifest(b'{"artefacts":[' + body + b"]}")
        if parsed is None or len(parsed["artefacts"]) != len(at):
            return None
        for k, entry in zip(at, parsed["artefacts"], strict=True):
            out[k] = entry
    rest["artefacts"] = out
    return rest


class Previous:
    """The manifest a build started from (its bytes, data and artefact lines) and the next
    one's encoding, for the writer: read from the snapshot when it is of these bytes."""

    def __init__(self) -> None:
        self.data: bytes | None = None
        self.parsed: dict[str, Any] | None = None
        self._lines: Lines | None = None
        self._lines_known = False
        self._current = False  # the snapshot on disk is of `data`
        self._canonical: bool | None = None  # `data` is manifest_bytes(parsed) (_ours)
        self._ops: list[Op] | None = None  # how it holds `parsed`'s artefacts
        self._token: bytes | None = None  # its base's
        self._encoded: Encoded | None = None  # the new manifest as encode() made it
        self._digests: list[tuple[bytes, _Hashing]] = []  # see digest()

    def read(self, data: bytes, base: bytes | None, delta: bytes | None) -> None:
        """`data`, the manifest's bytes, as data (ValueError: not JSON).

        Its objects (~1M at 1,000 designs) live as long as the build and hold no cycles:
        the collector is off while they are made (collector.py; a build has it off anyway).
        """
        self.data = data
        with collector.paused():
            self._hash(data)  # in a thread while the snapshot is decoded
            loaded = load(base, delta, data, lambda: self.digest(data)) if delta else None
            if loaded is not None:  # (the same data, read 10x faster)
                self.parsed, self._lines, self._ops, self._token = loaded
                self._lines_known = self._current = True
            else:
                self.parsed = parse_manifest(data)

    @property
    def vouched(self) -> bool:
        """Whether `data` is bytes a build wrote: its snapshot is of them (by SHA-256)."""
        return self._current

    @property
    def lines(self) -> Lines | None:
        """The artefact lines of `data` (None: laid out otherwise, not as a build writes
        them, or let go)."""
        if not self._lines_known and self.data and self.parsed:
            self._lines = artefact_lines(self.data, self.parsed) if self._ours() else None
            self._lines_known = True
        return self._lines

    def _ours(self) -> bool:
        """Whether `data` is exactly what a build writes for `parsed`: bytes the snapshot is
        of were, others (edited by hand, from another version) are encoded to see. Bytes
        that read the same but are not the encoding lend nothing: neither their lines nor
        themselves as the next manifest's bytes."""
        if self._current:
            return True
        if self._canonical is None and self.data is not None and self.parsed is not None:
            self._canonical = manifest_bytes(self.parsed) == self.data
        return bool(self._canonical)

    def digest(self, data: bytes) -> bytes:
        """SHA-256 of `data`, the initial manifest's bytes or the new one's (the snapshot is
        bound to it), hashed once."""
        return self._hash(data).result()

    def _hash(self, data: bytes) -> _Hashing:
        for seen, h in self._digests:
            if seen is data:
                return h
        h = _Hashing(data)
        self._digests = [*self._digests[-1:], (data, h)]
        return h

    def encode(self, manifest: dict[str, Any]) -> bytes:
        """manifest_bytes(manifest), reusing the line of every artefact whose entry is
        unchanged; `data` itself when nothing changed."""
        self._encoded = None
        if self.data and manifest == self.parsed and self._ours():
            return self.data
        self._encoded = encode(manifest, self.parsed, self.lines)
        if self._encoded.fresh <= FRESH_LIMIT:  # its snapshot will be bound to this hash:
            self._hash(self._encoded.data)  # made in a thread during the page step
        return self._encoded.data

    def release(self, keep: bytes) -> None:
        """Let go of `data` (and its lines: views of it), keeping what concerns `keep`."""
        self.data = self._lines = None
        self._digests = [(d, h) for d, h in self._digests if d is keep]

    def snapshot_of_new(self, data: bytes, same: bool) -> tuple[bytes | None, bytes] | None:
        """(a new base or None, the delta) to store once `data` is the manifest on disk
        (`same`: the initial bytes); None when the stored ones are current or none can be
        made cheaply."""
        encoded, self._encoded = self._encoded, None
        out = None
        if same and not self._current and self.parsed is not None:
            lines = artefact_lines(data, self.parsed)
            base, delta, _ = dump(self.parsed, self.digest(data), lines.starts if lines else [])
            out = base, delta
        elif not same and encoded is not None and encoded.data is data:
            parsed = as_read(encoded, (self.parsed or {}).get("artefacts") or [])
            if parsed is not None:
                ops = None
                if self._ops is not None:  # the same base: entries by position, or new
                    have = self._ops
                    ops = [e if i is None else have[i]
                           for e, i in zip(parsed["artefacts"], encoded.taken, strict=True)]
                base, delta, _ = dump(parsed, self.digest(data), encoded.starts, ops,
                                      self._token)
                out = base, delta
        self._digests = []
        return out


class _Hashing:
    """SHA-256 of bytes, made in a thread (hashlib lets go of the GIL for large data: on a
    second core, free while the build decodes or encodes)."""

    def __init__(self, data: bytes) -> None:
        self._digest = b""
        self._thread = threading.Thread(target=self._run, args=(data,), daemon=True)
        self._thread.start()

    def _run(self, data: bytes) -> None:
        self._digest = hashlib.sha256(data).digest()

    def result(self) -> bytes:
        self._thread.join()
        return self._digest
