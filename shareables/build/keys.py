"""Cache keys: what a job's key is made of, and the hashes of the files it reads.

A render's key is the SHA-256 of the normalised variant (minus what cannot change pixels:
caption, platform list, the file's location, motion), the bytes of every font, logo and photo
it uses (`FileHasher`, each file read at most once a build and remembered by size and mtime),
the platform spec and the renderer fingerprint: the source of every module that decides the
pixels and the versions of the libraries that draw and encode them. Never timestamps: a fresh
checkout computes the same keys, which is what lets `publish --build` skip unchanged designs.
`plan.plan_build` puts them together per job.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from ..fingerprint import PACKAGE, add_code, c_library_version, modules
from ..platforms import Platform
from ..project.model import Background, Theme, Variant

JOB_FORMAT = "6"  # 6: thumbnails resampled by libswscale (render/thumbs.py)
"""Bump when what a job produces changes outside the renderer (thumbnail size, naming)."""

# Modules whose source decides the pixels and bytes of a render. Their source text is part of
# the renderer fingerprint, so editing the renderer invalidates the cache without anyone
# remembering to bump a constant (and a checkout of the same commit gets the same keys).
RENDER_PACKAGES = ("text", "render")
"""Stages whose source is part of every render's cache key (all their modules, recursively)."""
RENDER_FILES = ("project/language.py", "project/alttext.py")
"""Modules outside those stages whose code shapes the files (quotes per language, alt text)."""
RENDER_DISTRIBUTIONS = ("pillow", "cairosvg", "fonttools", "icu4py", "zlib-ng", "av")


def renderer_fingerprint() -> str:
    """Hash of the render-stage sources and library versions, without importing Pillow."""
    h = hashlib.sha256(f"job-format:{JOB_FORMAT}\n".encode())
    add_code(h, [*modules(*RENDER_PACKAGES), *(PACKAGE / f for f in RENDER_FILES)],
             RENDER_DISTRIBUTIONS)
    # text/bidi.py takes the embedding levels from the system FriBiDi
    h.update(f"fribidi={c_library_version('libfribidi.so.0', 'fribidi_version_info')}\n".encode())
    return h.hexdigest()[:16]


class FileHasher:
    """SHA-256 of input and output files, each file read at most once per build.

    Results are remembered across builds by (size, mtime_ns) in a small cache so a no-change
    rebuild reads no font bytes; the hashes themselves are of content. Entries whose mtime is
    within a few seconds of now are not trusted later (the file could change again within
    the timestamp's granularity, the "racy git" problem).
    """

    RACY_SECONDS = 3.0

    def __init__(self, cache: dict[str, list[Any]] | None = None) -> None:
        self._cache: dict[str, list[Any]] = dict(cache or {})
        self._memo: dict[str, str | None] = {}
        self.hashed_bytes = 0

    def sha(self, path: Path | str) -> str | None:
        """Content hash, or None if the file does not exist."""
        key = os.fspath(path)
        if key in self._memo:
            return self._memo[key]
        try:
            st = os.stat(key)
        except OSError:
            self._memo[key] = None
            return None
        return self._digest(key, st)

    def _digest(self, key: str, st: os.stat_result) -> str | None:
        cached = self._cache.get(key)
        if cached and cached[0] == st.st_size and cached[1] == st.st_mtime_ns:
            digest: str | None = cached[2]
        else:
            digest = self._hash_file(key)
            if digest is not None and time.time() - st.st_mtime_ns / 1e9 > self.RACY_SECONDS:
                self._cache[key] = [st.st_size, st.st_mtime_ns, digest]
            else:
                self._cache.pop(key, None)
        self._memo[key] = digest
        return digest

    def _hash_file(self, key: str) -> str | None:
        h = hashlib.sha256()
        try:
            with open(key, "rb") as f:
                while chunk := f.read(1 << 20):
                    h.update(chunk)
                    self.hashed_bytes += len(chunk)
        except OSError:
            return None
        return h.hexdigest()

    def matches(self, path: Path | str, size: int, sha: str) -> bool:
        """Whether a file exists with this size and content (size first: cheap rejection)."""
        key = os.fspath(path)
        if key in self._memo:
            return self._memo[key] == sha
        try:
            st = os.stat(key)
        except OSError:
            return False
        return st.st_size == size and self._digest(key, st) == sha  # one stat per file

    def record(self, path: Path, sha: str) -> None:
        """Remember the hash of a file we just wrote (saves reading it back next build).

        Unlike `sha()`, no racy-timestamp guard: we wrote these bytes ourselves under the
        build lock, and any later change moves the mtime past the one recorded here. Without
        this the first rebuild after a cold build would re-read every output file.
        """
        key = os.fspath(path)
        self._memo[key] = sha
        try:
            st = os.stat(key)
        except OSError:
            return
        self._cache[key] = [st.st_size, st.st_mtime_ns, sha]

    def known(self, path: str) -> tuple[int, int, str] | None:
        """(size, mtime_ns, sha) of a file this build hashed, checked or wrote, when trusted
        (not racy): what it was then."""
        cached = self._cache.get(path)
        if cached is None or path not in self._memo or self._memo[path] != cached[2]:
            return None
        return cached[0], cached[1], cached[2]

    def export(self, skip: set[str] | frozenset[str] = frozenset()) -> dict[str, list[Any]]:
        """The stat cache to persist: only files looked at in this build (keeps it small),
        but those in `skip` (checked another way next time)."""
        return {k: v for k, v in self._cache.items() if k in self._memo and k not in skip}


def normalise(value: Any, hasher: FileHasher, memo: dict[int, Any] | None = None) -> Any:
    """JSON-able form of model data; a file path becomes the hash of the file's bytes.

    `memo` caches by object identity: every variant of a theme shares one Theme object, so
    its fonts are normalised once per build, not once per variant.
    """
    if memo is not None and isinstance(value, (Theme, Background)):
        if id(value) not in memo:
            memo[id(value)] = (value, normalise(value, hasher))  # keep it alive: id stays valid
        return memo[id(value)][1]
    if isinstance(value, Path):
        return {"file-sha256": hasher.sha(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: normalise(getattr(value, f.name), hasher, memo)
                for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): normalise(v, hasher, memo) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise(v, hasher, memo) for v in value]
    return value


# Fields that never change a rendered file: where the design lives, which other platforms it
# targets, and the post copy (caption goes into the manifest and README, not the pixels).
_KEY_EXCLUDED = ("source", "platforms", "caption", "motion")
"""(`motion` changes clips only: clip jobs add it to their own keys, see `clip_ids`.)"""
MOTION_DISTRIBUTIONS = ("av",)


def motion_fingerprint() -> str:
    """Hash of the motion stage's sources and PyAV's version (part of clip keys only)."""
    return str(add_code(hashlib.sha256(), modules("motion"), MOTION_DISTRIBUTIONS)
               .hexdigest()[:16])


_SIMPLE = frozenset({str, int, float, bool, type(None)})


_KEY_FIELDS: dict[type, tuple[str, ...]] = {}


def _key_fields(cls: type) -> tuple[str, ...]:
    """The fields of a variant class that go into its key, in key order."""
    if cls not in _KEY_FIELDS:
        _KEY_FIELDS[cls] = tuple(sorted(f.name for f in dataclasses.fields(cls)
                                        if f.name not in _KEY_EXCLUDED))
    return _KEY_FIELDS[cls]


def variant_digest(variant: Variant, hasher: FileHasher,
                   memo: dict[int, Any] | None = None) -> str:
    """hash_json of the variant's normalised fields (but `_KEY_EXCLUDED`).

    The JSON is put together as json.dumps(sort_keys=True) writes it, but a theme or a
    background (shared by many variants: `memo`) is normalised and encoded once and spliced
    in, and plain values take no type tests: at 1,000 designs this was most of the planning.
    """
    encode = _ENCODER.encode
    parts: list[str] = []
    run: dict[str, Any] = {}  # fields between two shared objects, encoded together
    fields = variant.__dict__
    for name in _key_fields(type(variant)):
        value = fields[name]
        kind = type(value)
        if kind in _SIMPLE:
            run[name] = value
        elif memo is not None and (kind is Theme or kind is Background):
            if run:
                parts.append(encode(run)[1:-1])
                run = {}
            parts.append(f"{encode(name)}:{_shared(value, hasher, memo)}")
        elif kind is tuple and all(type(v) is str for v in value):
            run[name] = value
        else:
            run[name] = normalise(value, hasher, memo)
    if run:
        parts.append(encode(run)[1:-1])
    return hashlib.sha256(f"{{{','.join(parts)}}}".encode()).hexdigest()


def _shared(value: Theme | Background, hasher: FileHasher, memo: dict[int, Any]) -> str:
    """The JSON of a theme's or background's normalised form, made once per object."""
    normalise(value, hasher, memo)
    known = memo[id(value)]
    if len(known) == 2:
        memo[id(value)] = known = (*known, _ENCODER.encode(known[1]))
    return str(known[2])


def platform_digest(platform: Platform) -> str:
    return hash_json(dataclasses.asdict(platform))


_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
"""One encoder for every key: json.dumps() with options makes a new one per call."""


def hash_json(data: Any) -> str:
    return hashlib.sha256(_ENCODER.encode(data).encode()).hexdigest()


def job_key(variant_hash: str, platform_hash: str, fingerprint: str) -> str:
    return hashlib.sha256(f"{fingerprint}\n{variant_hash}\n{platform_hash}".encode()).hexdigest()
