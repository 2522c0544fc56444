"""One clip of one variant for one video platform: plan the scenes, make frames, encode, check.

Presets (``motion.reveal``): ``words`` (word by word in reading order), ``lines``,
``highlight`` (the text fades in line by line, then the highlighted phrases sweep from the
text colour to the accent in reading direction), ``none``; ``auto`` picks words for quotes,
tags and carousel covers and lines for statements. ``motion.camera`` ``kenburns`` (``auto``
over a photo) zooms slowly out to the still's crop around ``background.focus``. A carousel
becomes a slideshow: its slides held for their reading time and cross-faded, ending on the
closing card; ``end_card`` does the same after a single card. The last frame is the still.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from PIL import Image

from ..errors import RenderError
from ..platforms import CLIPS, FPS, clip_platform
from ..project.model import Motion, Variant
from ..render.compose import Slide, TextItem, render_slides
from ..render.resources import Resources
from . import units as U
from .captions import webvtt
from .check import Report, validate
from .encode import encode_mp4, require_av
from .frames import Scene, Track, render_frames
from .timeline import (
    CROSSFADE_SECONDS,
    FADE_SECONDS,
    Reveal,
    frame_count,
    single_plan,
    slideshow_holds,
    stagger,
)

MAIN = ("title", "text", "prompt")
"""Text roles that carry the message: they get the reveal preset."""
AFTER = ("name", "role", "date", "lead")
"""Roles that fade in after the message (attribution, date, the lead-in to a handle)."""


@dataclass
class Clip:
    data: bytes
    poster: Image.Image
    captions: str
    seconds: float
    frames: int
    composed: int  # frames actually composed; the rest repeat an unchanged frame
    report: Report
    still: Image.Image  # what the last frame shows


def render_clip(variant: Variant, clip_id: str, res: Resources, *,
                motion: Motion | None = None) -> Clip:
    """The validated MP4 of ``variant`` for the clip platform ``clip_id``.

    Raises RenderError (field ``motion``) when PyAV is missing or the clip fails its profile.
    """
    require_av()
    profile = CLIPS[clip_id]
    m = motion or variant.motion or Motion()
    scenes = plan_scenes(variant, clip_id, res, m)
    counts = [frame_count(s.seconds) for s in scenes]
    total = sum(counts)
    if total / FPS > profile.max_seconds:
        raise RenderError(f"{clip_id}: the clip would last {total / FPS:.1f} s, over the "
                          f"platform's {profile.max_seconds:.0f} s", field="motion",
                          hint="set a shorter `motion.duration`")
    stats: dict[str, int] = {}
    frames = render_frames(scenes, variant, res, m.easing, counts, stats)
    data = encode_mp4(frames, profile, total)
    report = validate(data, profile, total)
    return Clip(data, scenes[0].slide.image, _captions(variant, scenes, counts), total / FPS,
                total, stats.get("composed", 0), report, scenes[-1].slide.image)


def plan_scenes(variant: Variant, clip_id: str, res: Resources, m: Motion) -> list[Scene]:
    """The cards the clip shows, composed at the clip's size, with what reveals when."""
    platform = clip_platform(clip_id)
    slides = render_slides(variant, platform, res, layers=True)
    if variant.kind == "carousel":
        return _slideshow(variant, slides, m)
    scenes = [_single(variant, slides[0], m, m.hold)]
    if m.end_card:
        tag = dataclasses.replace(variant, kind="tag", text=None, title=None, highlight=(),
                                  attribution=None, date=None, slides=None)
        end = render_slides(tag, platform, res, layers=True)[0]
        scenes.append(Scene(end, max(2.0, m.hold) + CROSSFADE_SECONDS, crossfade=True))
    return scenes


def _words(items: list[TextItem], i: int) -> int:
    block = items[i].block
    return max(1, len(block.text.split())) if block is not None else 1


def _single(variant: Variant, slide: Slide, m: Motion, hold: float,
            duration: float | None = None) -> Scene:
    items = slide.items
    main = [i for i, it in enumerate(items) if it.role in MAIN and it.block is not None]
    after_roles = AFTER + (("handle",) if slide.role != "single" or variant.kind == "tag"
                           else ())
    after = [i for i, it in enumerate(items) if it.role in after_roles and it.block is not None
             and i not in main and not (it.role == "handle" and slide.role == "content")]
    if variant.kind != "tag" and slide.role in ("single", "content"):
        after = [i for i in after if items[i].role != "handle"]  # the handle is chrome there
    reveal = m.reveal
    if reveal == "auto":
        reveal = "lines" if variant.kind == "statement" else "words"
    words = sum(_words(items, i) for i in main)
    plan = single_plan(words, bool(after), hold, m.duration if duration is None else duration)
    photo = variant.background.image is not None and slide.role in ("single", "cover")
    camera = m.camera if m.camera != "auto" else ("kenburns" if photo else "still")
    scene = Scene(slide, plan.duration,
                  kenburns=plan.lead + plan.reveal + plan.after if camera == "kenburns"
                  and photo else None)
    if reveal == "none":
        return scene
    t = plan.lead
    for i in main:
        span = plan.reveal * _words(items, i) / words
        if reveal == "words":
            units = [u for line in U.word_units(items, i) for u in line]
            scene.tracks.append(Track(units, stagger(len(units), t, span, 0.35)))
        elif reveal == "highlight":
            accents = U.accent_units(items, i)
            lines = U.line_units(items, i)
            if accents:
                fade_span = span * 0.4
                scene.tracks.append(Track(lines, stagger(len(lines), t, fade_span, 0.5)))
                sweep = stagger(len(accents), t + fade_span, span - fade_span, 0.6)
                scene.sweep += [(u, rtl, r) for (u, rtl), r in zip(accents, sweep, strict=True)]
            else:
                scene.tracks.append(Track(lines, stagger(len(lines), t, span, 0.6)))
        else:
            lines = U.line_units(items, i)
            scene.tracks.append(Track(lines, stagger(len(lines), t, span, 0.6)))
        t += span
    if after:
        us = [U.item_unit(items, i) for i in after]
        scene.tracks.append(Track(us, stagger(len(us), t, plan.after, FADE_SECONDS)))
    return scene


def _slideshow(variant: Variant, slides: list[Slide], m: Motion) -> list[Scene]:
    """Cover revealed as a card; every other slide held for its reading time, cross-faded."""
    words = [sum(len(it.block.text.split()) for it in s.items
                 if it.block is not None and it.role in MAIN) for s in slides]
    holds = slideshow_holds(words, m.duration, m.hold)
    scenes = []
    for n, (slide, hold) in enumerate(zip(slides, holds, strict=True)):
        if n == 0:
            sc = _single(variant, slide, dataclasses.replace(m, duration=None), 0.0,
                         duration=max(1.0, hold - 0.6))
            sc.seconds = hold
        else:
            sc = Scene(slide, hold, crossfade=True)
        scenes.append(sc)
    return scenes


def _captions(variant: Variant, scenes: list[Scene], counts: list[int]) -> str:
    cues: list[tuple[float, float, str]] = []
    t0 = 0.0
    for scene, n in zip(scenes, counts, strict=True):
        end = t0 + n / FPS
        starts: dict[int, float] = {}
        for track in scene.tracks:
            for u, r in zip(track.units, track.reveals, strict=True):
                starts[u.item] = min(starts.get(u.item, r.start), r.start)
        chrome = ("counter", "credit") + (("handle",) if variant.kind != "tag"
                                          and scene.slide.role != "closing" else ())
        for i, it in enumerate(scene.slide.items):
            if it.block is None or it.role in chrome:
                continue
            cues.append((t0 + starts.get(i, 0.0), end, it.block.text))
        t0 = end
    return webvtt(cues, variant.lang)


__all__ = ["Clip", "Reveal", "plan_scenes", "render_clip"]
