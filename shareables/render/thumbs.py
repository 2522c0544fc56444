"""A frame in memory -> the page's JPEG previews at the given widths, deterministic bytes.

The page shows each shape at 1x/2x/3x of its CSS width (site/shapes.py `thumb_widths`), so a
set is three JPEGs made largest first, each from the one before it. A width equal to the
frame's is the frame itself, just encoded smaller. Every other width is resampled by FFmpeg's
libswscale (the build PyAV's wheels bundle, which the clip encoder already uses), bicubic,
straight into full-range BT.601 YCbCr, the colour space the JPEG stores: libjpeg then only
subsamples the chroma, as it would from RGB. libswscale filters in SIMD (1080x1920 -> 720x1280:
3.2 ms against Pillow's 16.2, plus ~2 ms to copy the frame in) and keeps 15 bits between its
two passes where Pillow rounds to 8. `ACCURATE_RND | BITEXACT` make its SIMD code
give the C reference's bytes on every CPU (tests/render/test_thumbs.py compares the two with
SIMD switched off); without them the bytes depend on the processor.

Measured on the shipped designs and the benchmark's Arabic, Persian, Hebrew, Spanish and
English cards (benchmarks/thumbs.py, 125 sets), final JPEG against a Lanczos resize of the full
frame, mean / worst PSNR at 1x, 2x, 3x: this 33.5/28.1, 35.4/30.1, 37.4/32.0 dB; Pillow's
bicubic before it 32.3/25.9, 35.4/30.1, 37.4/32.0 (its 1x, a 2x2 box of the 2x, was off by up
to half a pixel at the bottom edge); the Lanczos reference itself through the same encode
33.8/28.4, 35.6/30.3, 37.5/32.1, so what is left is the JPEG's own loss. Bytes per set
+0.4 %, CPU per set 15.8 vs 22.6 ms.

Without PyAV (a bare `pip install shareables`, no motion extra) the same widths are resampled
by Pillow's bicubic, slower, with other bytes; the renderer fingerprint names the PyAV version
(or its absence), so the cache never mixes the two.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from PIL import Image

SMALLEST_QUALITY = 80
"""The 1x preview is shown pixel for pixel."""
DENSE_QUALITY = 72
"""2x/3x previews are shown at a half or a third of their pixels: a lower quality is invisible
there and saves the bytes a phone loads."""


def jpeg_previews(img: Image.Image, widths: Sequence[int]) -> list[tuple[int, int, bytes]]:
    """(width, height, JPEG bytes) of `img` at each of `widths`, smallest first."""
    if not widths:
        return []
    frame = img if img.mode == "RGB" else img.convert("RGB")
    resample = _Swscale(frame) if _av() is not None else _Pillow(frame)
    out = []
    for width in sorted(set(widths), reverse=True):
        height = max(1, round(frame.height * width / frame.width))
        pixels = frame if (width, height) == frame.size else resample.to(width, height)
        buf = io.BytesIO()
        quality = SMALLEST_QUALITY if width == min(widths) else DENSE_QUALITY
        pixels.save(buf, "JPEG", quality=quality, optimize=True)
        out.append((width, height, buf.getvalue()))
    return out[::-1]


class _Swscale:
    """Each size from the one before it, in full-range BT.601 YCbCr after the first."""

    def __init__(self, frame: Image.Image) -> None:
        self.frame = frame
        self.last: Any = None

    def to(self, width: int, height: int) -> Image.Image:
        av = _av()
        rf = av.video.reformatter
        ycc = {"src_colorspace": rf.Colorspace.ITU601, "src_color_range": rf.ColorRange.JPEG}
        src = self.last if self.last is not None else av.VideoFrame.from_image(self.frame)
        self.last = src.reformat(
            width, height, format="yuv444p", dst_colorspace=rf.Colorspace.ITU601,
            dst_color_range=rf.ColorRange.JPEG, threads=1,
            interpolation=(rf.Interpolation.BICUBIC | rf.Interpolation.ACCURATE_RND
                           | rf.Interpolation.BITEXACT),
            **(ycc if self.last is not None else {}))
        return Image.merge("YCbCr", [  # merge copies the planes out of the frame
            Image.frombuffer("L", (width, height), p, "raw", "L", p.line_size, 1)
            for p in self.last.planes])


class _Pillow:
    """Each size from the one before it: an exact half is a 2x2 box, others bicubic."""

    def __init__(self, frame: Image.Image) -> None:
        self.last = frame

    def to(self, width: int, height: int) -> Image.Image:
        src = self.last
        if src.width == 2 * width and abs(src.height - 2 * height) <= 1:
            self.last = src.reduce(2)
        else:
            self.last = src.resize((width, height), Image.Resampling.BICUBIC, reducing_gap=2.0)
        return self.last


AV_MIN = 17
"""The first PyAV whose `reformat` takes `threads=` (the previews ask for one thread)."""
_AV: list[Any] = []  # PyAV or None, once looked up


def _av() -> Any:
    """PyAV, or None where it isn't installed (it is the optional motion extra) or is older
    than AV_MIN (installed on its own, outside the extra's pin). Its version is in the render
    key either way, so each environment's previews stay deterministic."""
    if not _AV:
        try:
            import av
            import av.video.reformatter
        except ImportError:
            _AV.append(None)
        else:
            major = str(getattr(av, "__version__", "0")).split(".")[0]
            _AV.append(av if major.isdigit() and int(major) >= AV_MIN else None)
    return _AV[0]
