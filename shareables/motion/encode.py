"""Frames → MP4 with PyAV: H.264 High, yuv420p, 30 fps CFR, closed GOP, +faststart.

Settings every clip shares (platform documents in docs/motion.md): x264 at CRF 20 capped by
the profile's bitrate (VBV maxrate, buffer of two seconds), a keyframe every two seconds with
no open GOPs and no scene-cut keyframes (a steady cadence, every keyframe an IDR), no edit
lists (Instagram refuses them; `use_editlist=0`) and so no B-frames (without an edit list
they would start the presentation a frame late), the moov box before the media data
(`+faststart`, so playback starts before the download ends). x264 runs with a fixed thread
count so the bytes are the same on every machine with the same PyAV build. Where the profile
asks for audio, a silent stereo AAC-LC track at 48 kHz of the same length is added.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from typing import Any

from ..errors import RenderError
from ..platforms import FPS, ClipProfile

INSTALL_HINT = "install the motion extra: pip install 'shareables[motion]' (PyAV)"
THREADS = 2
AUDIO_RATE = 48_000


def require_av() -> Any:
    """The `av` module, or a RenderError with the install hint (never a traceback)."""
    try:
        import av
    except ImportError as exc:
        raise RenderError("clips (`motion:`) need PyAV, which is not installed",
                          field="motion", hint=INSTALL_HINT) from exc
    return av


def encode_mp4(frames: Iterable[Any], profile: ClipProfile, count: int) -> bytes:
    """Encode ``count`` PIL frames (the same object repeated where nothing changed)."""
    av = require_av()
    with tempfile.TemporaryDirectory(prefix="shareables-clip-") as tmp:
        path = os.path.join(tmp, "clip.mp4")
        out = av.open(path, "w", format="mp4",
                      options={"movflags": "+faststart", "use_editlist": "0"})
        # No encoder or creation-time tags that vary between runs.
        out.metadata["encoder"] = ""
        vs = out.add_stream("libx264", rate=FPS)
        vs.width, vs.height, vs.pix_fmt = profile.width, profile.height, "yuv420p"
        vs.profile = "High"
        vs.codec_context.thread_count = THREADS
        kbps = profile.max_kbps
        vs.options = {
            "crf": "20", "preset": "medium", "maxrate": f"{kbps}k", "bufsize": f"{2 * kbps}k",
            "g": str(2 * FPS), "keyint_min": str(2 * FPS), "sc_threshold": "0",
            # swscale turns RGB into BT.601 limited-range YUV; say so, or players assume
            # BT.709 for HD sizes and shift every colour slightly.
            "x264-params": f"open-gop=0:scenecut=0:bframes=0:threads={THREADS}:sliced-threads=0:"
                           "colorprim=smpte170m:transfer=smpte170m:colormatrix=smpte170m",
        }
        aus = None
        if profile.audio:
            aus = out.add_stream("aac", rate=AUDIO_RATE)
            aus.layout = "stereo"
            aus.bit_rate = 64_000
        last: Any = None
        vframe: Any = None
        n = 0
        for img in frames:
            if img is not last:
                vframe = av.VideoFrame.from_image(img.convert("RGB") if img.mode != "RGB"
                                                  else img)
                last = img
            vframe.pts = n
            for pkt in vs.encode(vframe):
                out.mux(pkt)
            n += 1
        if n != count:
            raise RenderError(f"internal: {n} frames made, {count} planned", field="motion")
        for pkt in vs.encode():
            out.mux(pkt)
        if aus is not None:
            # minus the encoder's 1024 priming samples, which become part of the track
            _silence(av, out, aus, max(1024, round(count / FPS * AUDIO_RATE) - 1024))
        out.close()
        with open(path, "rb") as f:
            return f.read()


def _silence(av: Any, out: Any, stream: Any, samples: int) -> None:
    """Silent AAC of ``samples`` samples.

    The encoder's priming packets come with negative timestamps; without an edit list to hide
    them the muxer would shift the video's first frame instead (breaking constant frame
    timing). The track is silence, so its timestamps are simply moved to start at zero.
    """
    shift: int | None = None

    def mux(packets: Any) -> None:
        nonlocal shift
        for pkt in packets:
            if shift is None:
                shift = max(0, -(pkt.pts or 0))
            if pkt.pts is not None:
                pkt.pts += shift
            if pkt.dts is not None:
                pkt.dts += shift
            out.mux(pkt)

    pts = 0
    while pts < samples:
        n = min(1024, samples - pts)  # the AAC frame size; the last one is shorter
        frame = av.AudioFrame(format="fltp", layout="stereo", samples=n)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate = AUDIO_RATE
        frame.pts = pts
        mux(stream.encode(frame))
        pts += n
    mux(stream.encode())
