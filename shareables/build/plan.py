"""Build planning: every job, its output directory and its content-based cache key.

A *job* renders one variant (one language of one design) for one platform. It is the unit of
caching and of parallel work: the file extension (format fall-through) and the number of
carousel slides are only known after rendering, so the plan is keyed by (variant, platform)
and the manifest records the paths a job produced.

Cache key = SHA-256 of: the normalised variant (minus what cannot change pixels: caption,
platform list, the file's location), the bytes of every font, logo and photo it uses, the
platform spec, and the renderer fingerprint. Never timestamps: a fresh checkout computes the
same keys, which is what lets `publish --build` skip unchanged designs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import DesignError
from ..fingerprint import PACKAGE, add_code, c_library_version, modules
from ..platforms import CLIP_FOR_IMAGE, CLIPS, PLATFORMS, Platform, clip_platform, target
from ..project.model import Background, Design, Settings, Theme, Variant
from ..site.shapes import previewed

JOB_FORMAT = "5"  # 5: thumbnails (bicubic) only for the platform each shape previews
"""Bump when what a job produces changes outside the renderer (thumbnail size, naming)."""

SAFE_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SAFE_LANG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")

# Modules whose source decides the pixels and bytes of a render. Their source text is part of
# the renderer fingerprint, so editing the renderer invalidates the cache without anyone
# remembering to bump a constant (and a checkout of the same commit gets the same keys).
RENDER_PACKAGES = ("text", "render")
"""Stages whose source is part of every render's cache key (all their modules, recursively)."""
RENDER_FILES = ("project/language.py", "project/alttext.py")
"""Modules outside those stages whose code shapes the files (quotes per language, alt text)."""
RENDER_DISTRIBUTIONS = ("pillow", "cairosvg", "fonttools", "uniseg", "zlib-ng")


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

    def export(self) -> dict[str, list[Any]]:
        """The stat cache to persist: only files looked at in this build (keeps it small)."""
        return {k: v for k, v in self._cache.items() if k in self._memo}


def _normalise(value: Any, hasher: FileHasher, memo: dict[int, Any] | None = None) -> Any:
    """JSON-able form of model data; a file path becomes the hash of the file's bytes.

    `memo` caches by object identity: every variant of a theme shares one Theme object, so
    its fonts are normalised once per build, not once per variant.
    """
    if memo is not None and isinstance(value, (Theme, Background)):
        if id(value) not in memo:
            memo[id(value)] = (value, _normalise(value, hasher))  # keep it alive: id stays valid
        return memo[id(value)][1]
    if isinstance(value, Path):
        return {"file-sha256": hasher.sha(value)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _normalise(getattr(value, f.name), hasher, memo)
                for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _normalise(v, hasher, memo) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalise(v, hasher, memo) for v in value]
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


def clip_ids(variant: Variant, wanted: set[str] | None) -> list[str]:
    """The clip platforms of a variant with `motion`: its own list, or one per image platform
    that takes video (platforms.CLIP_FOR_IMAGE). ``--platform`` selects a clip by its id or by
    its image platform's."""
    if variant.motion is None:
        return []
    ids = list(variant.motion.platforms) or [c for p in variant.platforms
                                              for c in CLIP_FOR_IMAGE.get(p, ())]
    return [c for c in dict.fromkeys(ids)
            if wanted is None or c in wanted or CLIPS[c].image in wanted]


def variant_digest(variant: Variant, hasher: FileHasher,
                   memo: dict[int, Any] | None = None) -> str:
    # A shallow walk of the variant's fields (the generic dataclass walk was the slowest part
    # of a no-change rebuild); nested model objects still go through _normalise.
    data: dict[str, Any] = {}
    for name, value in vars(variant).items():
        if name in _KEY_EXCLUDED:
            continue
        if value is None or isinstance(value, (str, int, float, bool)):
            data[name] = value
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            data[name] = list(value)
        else:
            data[name] = _normalise(value, hasher, memo)
    return _hash_json(data)


def platform_digest(platform: Platform) -> str:
    return _hash_json(dataclasses.asdict(platform))


def _hash_json(data: Any) -> str:
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def job_key(variant_hash: str, platform_hash: str, fingerprint: str) -> str:
    return hashlib.sha256(f"{fingerprint}\n{variant_hash}\n{platform_hash}".encode()).hexdigest()


@dataclass(frozen=True)
class Job:
    """Render `variant` for `platform`; `dir` is its output directory under output/."""

    variant: Variant
    platform: str
    key: str
    dir: str  # "<campaign>/<id>/<lang>" or "site"
    owner: str  # design file relative to the project (errors, collisions)
    source_hash: str
    design_line: int = 1

    @property
    def ident(self) -> tuple[str, str]:
        """Identity across builds: what output this job replaces."""
        return (self.dir, self.platform)

    @property
    def canvas(self) -> tuple[object, ...]:
        """Jobs with equal `canvas` draw identical pixels: one render serves them all."""
        if self.platform in CLIPS:  # a clip is its own job (an MP4, not the still's pixels)
            return (self.dir, "clip", self.platform)
        return (self.dir, canvas_signature(PLATFORMS[self.platform], self.variant.kind))


def canvas_signature(platform: Platform, kind: str) -> tuple[object, ...]:
    """Everything of a platform the renderer reads, for one kind of design.

    Layout reads the canvas size, the safe box (the 6 % margin merged with the platform's UI
    zones) and the legibility floor; a carousel also reads its slide limit (pages for a PDF),
    which decides the split, whether the closing slide fits and the slide counter. The id
    only appears in messages, and the formats and byte limits only matter to the encoder.
    So instagram-portrait, facebook, threads (and linkedin-document's pages) draw one
    1080x1350 image for a quote; instagram-story and whatsapp-status one story; x and bluesky
    one 1600x900 card.
    """
    limit = None
    if kind == "carousel":
        limit = ("pages", platform.max_pages) if platform.document else platform.carousel_limit
    return (platform.width, platform.height, platform.safe_box(), platform.min_body_px, limit)


def job_cost(job: Job) -> int:
    """Rough render cost of a job: pixels times images (a clip: about 25 images' worth)."""
    v, p = job.variant, target(job.platform)
    if p.id in CLIPS:
        return p.width * p.height * 25
    images = (len(v.slides) + 2 if v.slides else 4) if v.kind == "carousel" else 1
    return p.width * p.height * images


def group_by_canvas(jobs: Sequence[Job]) -> list[list[Job]]:
    """Jobs grouped by `canvas`, groups in the order of their first job."""
    groups: dict[tuple[object, ...], list[Job]] = {}
    for job in jobs:
        groups.setdefault(job.canvas, []).append(job)
    return list(groups.values())


@dataclass(frozen=True)
class VariantPlan:
    """One variant of one design with its jobs (the bundle is built from their outputs)."""

    variant: Variant
    design: Design
    dir: str
    jobs: tuple[Job, ...]


@dataclass
class Plan:
    variants: list[VariantPlan]
    site_job: Job | None
    errors: list[DesignError]
    fingerprint: str

    @property
    def jobs(self) -> list[Job]:
        out = [j for v in self.variants for j in v.jobs]
        if self.site_job is not None:
            out.append(self.site_job)
        return out


def parse_shard(text: str) -> tuple[int, int]:
    """'K/N' -> (K, N), 1 <= K <= N."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not m or not (1 <= int(m.group(1)) <= int(m.group(2))):
        raise ValueError(f"--shard must look like K/N with 1 <= K <= N, not {text!r}")
    return int(m.group(1)), int(m.group(2))


SECONDS_PER_PIXEL = 4e-8
"""Render-time estimate for a job never timed (~60 ms for a 1080x1350 image on one core)."""


def design_cost(design: Design, durations: Mapping[str, float] | None = None) -> float:
    """Seconds to render every job of a design: recorded durations, else an estimate."""
    total = 0.0
    for v in design.variants:
        vdir = f"{v.campaign}/{v.design_id}/{v.lang}"
        for pid in v.platforms:
            platform = PLATFORMS.get(pid)
            if platform is None:
                continue
            known = (durations or {}).get(f"{vdir} {pid}")
            if isinstance(known, (int, float)):
                total += float(known)
                continue
            images = (len(v.slides) + 2 if v.slides else 4) if v.kind == "carousel" else 1
            total += platform.width * platform.height * images * SECONDS_PER_PIXEL
    return total


def assign_shards(designs: Sequence[Design], n: int,
                  durations: Mapping[str, float] | None = None) -> dict[str, int]:
    """Design file -> shard (1..n), balanced by render time (the pytest-split pattern).

    Greedy longest-first: each design, most expensive first, goes to the least-loaded shard.
    Ties break on the file name, so every shard of a CI matrix, given the same designs and
    durations (the published manifest's), computes the same split without talking to the
    others. Designs never timed are estimated from their pixel count.
    """
    loads = [0.0] * n
    out: dict[str, int] = {}
    by_file: dict[str, float] = {}  # a spreadsheet's rows share one file: they go together
    for d in designs:
        by_file[d.rel] = by_file.get(d.rel, 0.0) + design_cost(d, durations)
    costed = sorted(((cost, rel) for rel, cost in by_file.items()), key=lambda c: (-c[0], c[1]))
    for cost, rel in costed:
        k = min(range(n), key=lambda i: (loads[i], i))
        loads[k] += cost
        out[rel] = k + 1
    return out


def site_variant(settings: Settings) -> Variant:
    """The download page's own og:image: a brand card (a `tag` drawn for the og platform)."""
    brand = settings.brand
    handle = brand.handle or brand.name
    theme = settings.theme(None)
    return Variant(
        design_id="site", campaign="site", kind="tag", lang="en", direction="ltr",
        text=None, title=None, date=None, slides=None, attribution=None, highlight=(),
        alt=f"{brand.name}: images to download and share — tag us {handle}",
        caption=None, theme=theme, background=theme.background or Background(),
        handle=brand.handle, logo=brand.logo, brand_name=brand.name, platforms=("og",),
        source=settings.file, original=True,
    )


def plan_build(
    settings: Settings,
    designs: Sequence[Design],
    hasher: FileHasher,
    fingerprint: str,
    *,
    platforms: Iterable[str] | None = None,
    shard: tuple[int, int] | None = None,
    durations: Mapping[str, float] | None = None,
    include_site: bool = True,
) -> Plan:
    """Every job of every selected design (platform filter, shard), with keys; no I/O on output/.

    `durations` ("<dir> <platform>" -> seconds, from a manifest) balance the shards.
    """
    shards = assign_shards(designs, shard[1], durations) if shard else {}
    wanted = set(platforms) if platforms else None
    memo: dict[int, Any] = {}
    platform_hash: dict[str, str] = {}
    errors: list[DesignError] = []
    claimed: dict[str, str] = {}
    variants: list[VariantPlan] = []
    for design in sorted(designs, key=lambda d: d.rel):
        if shard is not None and shards[design.rel] != shard[0]:
            continue
        bad = _unsafe_names(design)
        if bad:
            errors.append(bad)
            continue
        vplans: list[VariantPlan] = []
        for v in design.variants:
            vdir = f"{v.campaign}/{v.design_id}/{v.lang}"
            if claimed.setdefault(vdir, design.rel) != design.rel:
                errors.append(DesignError(
                    f"output folder {vdir}/ is also produced by {claimed[vdir]}",
                    file=design.rel, line=design.line, col=1, field="id",
                    hint="give one of the two designs another `id:`"))
                vplans = []
                break
            vhash = variant_digest(v, hasher, memo)
            # Which of its platforms get page previews: chosen among those this build makes
            # (a `--platform` filter leaving out a shape's usual one must not leave the shape
            # without), and the jobs carry that list for the worker to choose alike.
            jv = v if wanted is None else dataclasses.replace(
                v, platforms=tuple(p for p in v.platforms if p in wanted))
            shown = previewed(jv.platforms, v.kind)
            jobs = []
            for pid in jv.platforms:
                platform = PLATFORMS[pid]
                if platform.document and v.kind != "carousel":
                    continue  # a LinkedIn document is a carousel as PDF; nothing to make
                if pid not in platform_hash:
                    platform_hash[pid] = platform_digest(platform)
                phash = platform_hash[pid] + ("+previews" if pid in shown else "")
                jobs.append(Job(jv, pid, job_key(vhash, phash, fingerprint), vdir,
                                design.rel, design.source_hash, design.line))
            clips = clip_ids(v, wanted)
            if clips:
                mhash = _hash_json([vhash, _normalise(v.motion, hasher), motion_fingerprint()])
                for cid in clips:
                    chash = _hash_json([dataclasses.asdict(clip_platform(cid)),
                                        dataclasses.asdict(CLIPS[cid])])
                    jobs.append(Job(v, cid, job_key(mhash, chash, fingerprint), vdir,
                                    design.rel, design.source_hash, design.line))
            vplans.append(VariantPlan(v, design, vdir, tuple(jobs)))
        variants.extend(vplans)
    site_job = None
    if include_site and (wanted is None or "og" in wanted) and (shard is None or shard[0] == 1):
        sv = site_variant(settings)
        key = job_key(variant_digest(sv, hasher), platform_digest(PLATFORMS["og"]), fingerprint)
        site_job = Job(sv, "og", key, "site", "shareables.yaml", "")
    return Plan(variants, site_job, errors, fingerprint)


def _unsafe_names(design: Design) -> DesignError | None:
    # design.py already allow-lists ids; output paths and zip entry names are built from these,
    # so check again here rather than trust every future caller.
    for v in design.variants:
        for value, pattern, field in ((v.campaign, SAFE_SEGMENT, "campaign"),
                                      (v.design_id, SAFE_SEGMENT, "id"),
                                      (v.lang, SAFE_LANG, "lang")):
            if not pattern.match(value) or value in ("site", "thumbs") and field == "campaign":
                return DesignError(f"{value!r} cannot be used in output paths", file=design.rel,
                                   line=design.line, col=1, field=field,
                                   hint="use lowercase letters, digits and hyphens")
    return None
