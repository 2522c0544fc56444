"""Build planning: every job, its output directory and its cache key; canvases; shards.

A *job* renders one variant (one language of one design) for one platform. It is the unit of
caching: the file extension (format fall-through) and the number of carousel slides are only
known after rendering, so the plan is keyed by (variant, platform) and the manifest records
the paths a job produced. Jobs that draw identical pixels share a *canvas* and are rendered
once (`group_by_canvas`); the canvas is the unit of parallel work. What a key is made of is
`keys.py`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import DesignError
from ..platforms import CLIP_FOR_IMAGE, CLIPS, PLATFORMS, Platform, clip_platform, target
from ..project.model import Background, Design, Settings, Variant
from ..site.shapes import previewed
from .keys import (
    FileHasher,
    hash_json,
    job_key,
    motion_fingerprint,
    normalise,
    platform_digest,
    variant_digest,
)

SAFE_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SAFE_LANG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


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
    previews: dict[tuple[tuple[str, ...], str], frozenset[str]] = {}  # a few distinct lists
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
            shown_key = (jv.platforms, v.kind)
            shown = previews.get(shown_key)
            if shown is None:
                shown = previews[shown_key] = previewed(*shown_key)
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
                mhash = hash_json([vhash, normalise(v.motion, hasher), motion_fingerprint()])
                for cid in clips:
                    chash = hash_json([dataclasses.asdict(clip_platform(cid)),
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
