"""Decode a clip back and hold it against its platform profile before it is listed.

Checks what each platform's upload spec names: container and codec, H.264 profile, pixel
format, frame rate and constant frame timing, frame count and duration, dimensions, the moov
box ahead of the media data, no edit lists, video bitrate and file size under the profile's
caps, keyframes that are all IDR at the cadence we asked for, and the audio track where one is
required (AAC, ≤ 48 kHz, ≤ 2 channels). Any failure is a RenderError for that platform.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from ..errors import RenderError
from ..platforms import FPS, ClipProfile
from .encode import require_av


@dataclass(frozen=True)
class Report:
    """What the decoder saw (tests and the manifest read these)."""

    codec: str
    profile: str
    pix_fmt: str
    fps: float
    frames: int
    duration: float
    width: int
    height: int
    video_kbps: float
    audio: str | None
    moov_first: bool
    edit_lists: bool


def boxes(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
    """Top-level ISO-BMFF boxes in data[start:end] as (type, offset, size)."""
    end = len(data) if end is None else end
    out = []
    i = start
    while i + 8 <= end:
        size = int.from_bytes(data[i:i + 4], "big")
        kind = data[i + 4:i + 8].decode("latin-1")
        head = 8
        if size == 1:
            size = int.from_bytes(data[i + 8:i + 16], "big")
            head = 16
        elif size == 0:
            size = end - i
        if size < head:
            break
        out.append((kind, i, size))
        i += size
    return out


def _has_edit_list(data: bytes, moov: tuple[str, int, int]) -> bool:
    _, off, size = moov
    for kind, o, s in boxes(data, off + 8, off + size):
        if kind == "trak" and any(k == "edts" for k, _, _ in boxes(data, o + 8, o + s)):
            return True
    return False


def inspect(data: bytes) -> Report:
    """Decode ``data`` with PyAV and report its properties (no judgement)."""
    av = require_av()
    top = boxes(data)
    kinds = [k for k, _, _ in top]
    moov = next((b for b in top if b[0] == "moov"), None)
    moov_first = moov is not None and "mdat" in kinds and kinds.index("moov") < kinds.index(
        "mdat")
    with av.open(io.BytesIO(data), "r") as c:
        v = c.streams.video[0]
        cc = v.codec_context
        pts: list[int] = []
        size = 0
        for p in c.demux(v):
            if p.pts is not None:
                pts.append(p.pts)
                size += p.size
        c.seek(0)
        first = next(c.decode(video=0))
        a = c.streams.audio[0] if c.streams.audio else None
        audio = None
        if a is not None:
            audio = f"{a.codec_context.name}/{a.codec_context.sample_rate}/{a.channels}"
        pts.sort()
        tb = float(v.time_base)
        frames = len(pts)
        duration = frames / float(v.average_rate) if v.average_rate else 0.0
        deltas = {round((b - a_) * tb * FPS, 3) for a_, b in zip(pts, pts[1:], strict=False)}
        fps = float(v.average_rate) if deltas <= {1.0} else -1.0
        kbps = size * 8 / duration / 1000 if duration else 0.0  # measured, not the header
        return Report(cc.name, str(cc.profile), str(first.format.name), fps, frames, duration,
                      first.width, first.height, kbps, audio, moov_first,
                      _has_edit_list(data, moov) if moov else False)


def validate(data: bytes, profile: ClipProfile, frames: int) -> Report:
    """``inspect`` and compare with the profile; RenderError (field motion) on any mismatch."""
    r = inspect(data)
    problems = []

    def want(ok: bool, what: str) -> None:
        if not ok:
            problems.append(what)

    want(r.codec == "h264", f"codec {r.codec}, not h264")
    want(r.profile == "High", f"H.264 profile {r.profile}, not High")
    want(r.pix_fmt == "yuv420p", f"pixel format {r.pix_fmt}, not yuv420p")
    want(r.fps == FPS, f"frame rate {r.fps} (constant {FPS} fps expected)")
    want(r.frames == frames, f"{r.frames} frames, {frames} expected")
    want((r.width, r.height) == (profile.width, profile.height),
         f"{r.width}×{r.height}, not {profile.width}×{profile.height}")
    want(r.moov_first, "the moov box is not before the media data (+faststart)")
    want(not r.edit_lists, "the file has edit lists")
    want(profile.min_seconds <= r.duration <= profile.max_seconds,
         f"{r.duration:.2f} s, outside {profile.min_seconds}–{profile.max_seconds} s")
    want(r.video_kbps <= profile.max_kbps, f"video bitrate {r.video_kbps:.0f} kb/s, over "
         f"{profile.max_kbps} kb/s")
    want(len(data) <= profile.max_bytes, f"{len(data):,} bytes, over {profile.max_bytes:,}")
    if profile.audio:
        ok = r.audio is not None and r.audio.startswith("aac/") and int(
            r.audio.split("/")[1]) <= 48_000 and int(r.audio.split("/")[2]) <= 2
        want(ok, f"audio {r.audio or 'missing'}, AAC ≤ 48 kHz stereo required")
    if problems:
        raise RenderError(f"{profile.id}: the clip fails the platform's video spec: "
                          + "; ".join(problems), field="motion",
                          hint=f"set `motion.duration` within {profile.min_seconds:g}–"
                               f"{profile.max_seconds:g} s for {profile.id}, or report this "
                               "with the design")
    return r


def last_frame(data: bytes) -> Any:
    """The clip's last frame as an RGB PIL image (tests: it must be the still)."""
    av = require_av()
    img = None
    with av.open(io.BytesIO(data), "r") as c:
        for f in c.decode(video=0):
            img = f
        assert img is not None
        return img.to_image()


def decoded_frames(data: bytes) -> list[Any]:
    """Every frame as an RGB PIL image (tests and contact sheets; small clips only)."""
    av = require_av()
    with av.open(io.BytesIO(data), "r") as c:
        return [f.to_image() for f in c.decode(video=0)]
