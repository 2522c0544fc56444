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

import hashlib
import marshal
import sys
import zlib
from array import array
from collections.abc import Sequence
from typing import Any

from .manifest import _HEAD, parse_manifest
from .manifestlines import Encoded, Lines

SNAPSHOT = "manifest.snapshot"
"""Its name in output/.shareables/ (build state: never published, never swept)."""

_MAGIC = f"shareables manifest snapshot 1 {sys.implementation.cache_tag} " \
    f"marshal {marshal.version}\n".encode()
FRESH_LIMIT = 2000
"""Most artefacts encoded anew (not reusing a line) that a snapshot is made with: each is
parsed back from its line (its data exactly as a reader of the file gets it), so a build
that re-encodes everything would hold the manifest twice; the next build parses the JSON
and makes the snapshot then."""


def load(snapshot: bytes | None, data: bytes) -> tuple[dict[str, Any], Lines | None] | None:
    """The manifest `data` parses to, and its artefact lines, from a snapshot made of these
    very bytes; None when there is none or it is of anything else."""
    if not snapshot or not snapshot.startswith(_MAGIC):
        return None
    head = len(_MAGIC)
    digest, crc, payload = snapshot[head:head + 32], snapshot[head + 32:head + 36], \
        memoryview(snapshot)[head + 36:]
    if len(crc) < 4 or int.from_bytes(crc, "big") != zlib.crc32(payload) \
            or hashlib.sha256(data).digest() != digest:
        return None
    try:
        manifest, raw = marshal.loads(payload)
        starts = array("Q")
        starts.frombytes(raw)
    except (ValueError, EOFError, TypeError):
        return None
    artefacts = manifest.get("artefacts") if isinstance(manifest, dict) else None
    if not isinstance(artefacts, list):
        return None
    lines = Lines(data, starts) if len(starts) == len(artefacts) + 1 else None
    return manifest, lines


def dump(encoded: Encoded) -> bytes | None:
    """A snapshot of a manifest's bytes as manifest.encode made them; None when it encoded
    too many artefacts anew (FRESH_LIMIT)."""
    parsed = as_read(encoded)
    if parsed is None:
        return None
    return snapshot_of(parsed, encoded.data, encoded.starts)


def snapshot_of(parsed: dict[str, Any], data: bytes, starts: Sequence[int]) -> bytes:
    """The snapshot of `data`, which parses to `parsed` and has its lines at `starts`."""
    payload = marshal.dumps((parsed, array("Q", starts).tobytes()))
    return b"".join((_MAGIC, hashlib.sha256(data).digest(),
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
