"""The manifest on disk as the last build left it, parsed, in output/.shareables/.

A rebuild reads the whole manifest first (every decision compares with it). Parsing 28 MB of
JSON at 1,000 designs, strings shared (manifest.parse_manifest), takes ~0.2 s; loading the
same objects from a `marshal` snapshot takes a tenth of that, and the snapshot also says
where each artefact's line is in the file (manifest.Lines), so encoding the next manifest
reuses them unchecked.

The snapshot is trusted only for the exact bytes it was made from: it carries their SHA-256,
compared with the manifest read from disk, and a CRC of its own payload. A missing, damaged,
stale (manifest edited, restored, replaced), or other-Python snapshot is ignored: the build
parses the JSON, as without one. It holds nothing the manifest does not; `marshal` reads
only plain data (never code that runs) and the format is tied to the Python that wrote it.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import sys
import threading
import zlib
from array import array
from collections.abc import Callable, Sequence
from typing import Any

from .manifest import _HEAD, parse_manifest
from .manifestlines import Encoded, Lines, artefact_lines, encode

SNAPSHOT = "manifest.snapshot"
"""Its name in output/.shareables/ (build state: never published, never swept)."""

_MAGIC = f"shareables manifest snapshot 1 {sys.implementation.cache_tag} " \
    f"marshal {marshal.version}\n".encode()
FRESH_LIMIT = 2000
"""Most artefacts encoded anew (not reusing a line) that a snapshot is made with: each is
parsed back from its line (its data exactly as a reader of the file gets it), so a build
that re-encodes everything would hold the manifest twice; the next build parses the JSON
and makes the snapshot then."""


def load(snapshot: bytes | None, data: bytes, digest: Callable[[], bytes]
         ) -> tuple[dict[str, Any], Lines | None] | None:
    """The manifest `data` parses to, and its artefact lines, from a snapshot made of these
    very bytes; None when there is none or it is of anything else. `digest()` gives the
    SHA-256 of `data` (asked last: it can be hashing meanwhile)."""
    if not snapshot or not snapshot.startswith(_MAGIC):
        return None
    head = len(_MAGIC)
    bound, crc, payload = snapshot[head:head + 32], snapshot[head + 32:head + 36], \
        memoryview(snapshot)[head + 36:]
    if len(crc) < 4 or int.from_bytes(crc, "big") != zlib.crc32(payload):
        return None
    try:
        manifest, raw = marshal.loads(payload)
        starts = array("Q")
        starts.frombytes(raw)
    except (ValueError, EOFError, TypeError):
        return None
    artefacts = manifest.get("artefacts") if isinstance(manifest, dict) else None
    if not isinstance(artefacts, list) or digest() != bound:
        return None
    lines = Lines(data, starts) if len(starts) == len(artefacts) + 1 else None
    return manifest, lines


def dump(encoded: Encoded, digest: bytes) -> bytes | None:
    """A snapshot of a manifest's bytes (SHA-256 `digest`) as manifest.encode made them;
    None when it encoded too many artefacts anew (FRESH_LIMIT)."""
    parsed = as_read(encoded)
    if parsed is None:
        return None
    return snapshot_of(parsed, digest, encoded.starts)


def snapshot_of(parsed: dict[str, Any], digest: bytes, starts: Sequence[int]) -> bytes:
    """The snapshot of the bytes with SHA-256 `digest`, which parse to `parsed` and have their
    artefact lines at `starts`."""
    payload = marshal.dumps((parsed, array("Q", starts).tobytes()))
    return b"".join((_MAGIC, digest,
                     zlib.crc32(payload).to_bytes(4, "big"), payload))


def as_read(encoded: Encoded) -> dict[str, Any] | None:
    """What parse_manifest(encoded.data) gives, without parsing all of it: an artefact whose
    line was reused is the entry read from that line before, the others and everything
    outside the artefacts are parsed back from their bytes. None past FRESH_LIMIT."""
    data, starts, taken = encoded.data, encoded.starts, encoded.taken
    if encoded.fresh > FRESH_LIMIT or not taken or len(starts) != len(taken) + 1:
        return None
    end = starts[-1] - 1  # "\n ]" after the last artefact line
    rest = parse_manifest(data[:len(_HEAD) - 1] + data[end + 1:])
    if rest is None or rest.get("artefacts") != []:
        return None
    out = list(taken)
    if encoded.fresh:
        view = memoryview(data)
        at = [i for i, e in enumerate(taken) if e is None]
        lines = (view[starts[i]:starts[i + 1] - 1] for i in at)
        body = b",".join(x[:-1] if x[-1] == 0x2C else x for x in lines)  # 0x2C: ","
        parsed = parse_manifest(b'{"artefacts":[' + body + b"]}")
        if parsed is None or len(parsed["artefacts"]) != len(at):
            return None
        for i, entry in zip(at, parsed["artefacts"], strict=True):
            out[i] = entry
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
        self._encoded: Encoded | None = None  # the new manifest as encode() made it
        self._digests: list[tuple[bytes, _Hashing]] = []  # see digest()

    def read(self, data: bytes, snapshot: bytes | None) -> None:
        """`data`, the manifest's bytes, as data (ValueError: not JSON).

        Its objects (~1M at 1,000 designs) live as long as the build and hold no cycles:
        the collector is off while they are made (the writer then freezes them, gc.freeze).
        """
        self.data = data
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._hash(data)  # in a thread while the snapshot is decoded
            loaded = load(snapshot, data, lambda: self.digest(data)) if snapshot else None
            if loaded is not None:  # (the same data, read 10x faster)
                self.parsed, self._lines = loaded
                self._lines_known = self._current = True
            else:
                self.parsed = parse_manifest(data)
        finally:
            if collecting:
                gc.enable()

    @property
    def lines(self) -> Lines | None:
        """The artefact lines of `data` (None: laid out otherwise, or let go)."""
        if not self._lines_known and self.data and self.parsed:
            self._lines = artefact_lines(self.data, self.parsed)
            self._lines_known = True
        return self._lines

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
        if self.data and manifest == self.parsed:
            return self.data
        self._encoded = encode(manifest, self.parsed, self.lines)
        if self._encoded.fresh <= FRESH_LIMIT:  # its snapshot will be bound to this hash:
            self._hash(self._encoded.data)  # made in a thread during the page step
        return self._encoded.data

    def release(self, keep: bytes) -> None:
        """Let go of `data` (and its lines: views of it), keeping what concerns `keep`."""
        self.data = self._lines = None
        self._digests = [(d, h) for d, h in self._digests if d is keep]

    def snapshot_of_new(self, data: bytes, same: bool) -> bytes | None:
        """The snapshot to store once `data` is the manifest on disk (`same`: the initial
        bytes); None when the one stored is current or none can be made cheaply."""
        encoded, self._encoded = self._encoded, None
        snap = None
        if same and not self._current and self.parsed is not None:
            lines = artefact_lines(data, self.parsed)
            snap = snapshot_of(self.parsed, self.digest(data), lines.starts if lines else [])
        elif not same and encoded is not None and encoded.data is data:
            snap = dump(encoded, self.digest(data))
        self._digests = []
        return snap


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
