"""Page previews (render/thumbs.py): the page's widths, close to Lanczos, the same bytes on
every run, process and CPU, colours kept; with PyAV (libswscale) and without it (Pillow)."""

from __future__ import annotations

import io
import math
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from composition import corpus_variants, shipped_variants
from PIL import Image, ImageChops, ImageDraw, ImageStat

from shareables.platforms import PLATFORMS
from shareables.render import compose, thumbs
from shareables.render.resources import Resources
from shareables.site.shapes import thumb_widths

ROOT = Path(__file__).resolve().parents[2]
SHAPES = ("instagram-square", "instagram-portrait", "instagram-story", "x", "pinterest")


@pytest.fixture(params=["swscale", "pillow"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both resamplers: PyAV's libswscale (the motion extra is installed for the tests) and
    Pillow's bicubic, what a build without PyAV uses."""
    if request.param == "pillow":
        monkeypatch.setattr(thumbs, "_AV", [None])
    else:
        assert thumbs._av() is not None, "PyAV is in the test requirements"
    return str(request.param)


@cache
def frames() -> tuple[tuple[str, str, Image.Image], ...]:
    """Real cards: Latin and Arabic (the shipped Darwish quote), Hebrew (the corpus carousel)."""
    res = Resources()
    picked = [v for v in shipped_variants() if v.design_id == "darwish-on-this-earth"]
    picked += [v for v in corpus_variants() if v.lang == "he"][:1]
    assert {v.lang for v in picked} == {"en", "ar", "he"}
    return tuple((v.lang, pid, compose.render_variant(v, PLATFORMS[pid], res)[0].convert("RGB"))
                 for v in picked for pid in ("instagram-portrait", "instagram-story"))


def psnr(a: Image.Image, b: Image.Image) -> float:
    mse = sum(x * x for x in ImageStat.Stat(ImageChops.difference(a, b)).rms) / 3
    return 99.0 if mse == 0 else 10 * math.log10(255**2 / mse)


def decoded(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    assert im.format == "JPEG"
    return im.convert("RGB")


def lanczos(img: Image.Image, width: int) -> Image.Image:
    return img.resize((width, round(img.height * width / img.width)), Image.Resampling.LANCZOS)


@pytest.mark.parametrize("pid", SHAPES)
def test_previews_are_at_exactly_the_page_widths_smallest_first(path: str, pid: str) -> None:
    p = PLATFORMS[pid]
    img = Image.new("RGB", p.size, (15, 61, 46))
    ImageDraw.Draw(img).text((60, 60), "It was called Palestine", fill="white", font_size=90)
    out = thumbs.jpeg_previews(img, thumb_widths(p))
    assert [w for w, _h, _d in out] == sorted(thumb_widths(p))
    for w, h, data in out:
        assert h == round(p.height * w / p.width)
        assert decoded(data).size == (w, h)


# Worst PSNR of the final JPEG against Lanczos from the full frame over these cards, per
# density (1x/2x/3x). Measured: libswscale 32.6/34.8/36.6 dB, Pillow bicubic 30.0/34.6/36.6,
# nearest neighbour through the same encode 27.6/30.7/33.3 (what the floors must catch).
FLOORS = (29.0, 33.0, 35.0)


def test_previews_are_close_to_lanczos_from_the_full_frame(path: str) -> None:
    worst = [99.0, 99.0, 99.0]
    for _lang, pid, img in frames():
        widths = thumb_widths(PLATFORMS[pid])
        for density, (w, _h, data) in enumerate(thumbs.jpeg_previews(img, widths)):
            worst[density] = min(worst[density], psnr(decoded(data), lanczos(img, w)))
    assert all(dB >= floor for dB, floor in zip(worst, FLOORS, strict=True)), worst


def test_the_floor_fails_nearest_neighbour() -> None:
    """The floors above mean something: previews made by nearest neighbour (then the same
    JPEG encode) fall below them."""
    worst = [99.0, 99.0, 99.0]
    for _lang, pid, img in frames():
        for density, w in enumerate(sorted(thumb_widths(PLATFORMS[pid]))):
            near = img.resize((w, round(img.height * w / img.width)), Image.Resampling.NEAREST)
            buf = io.BytesIO()
            near.save(buf, "JPEG", quality=80 if density == 0 else 72, optimize=True)
            worst[density] = min(worst[density], psnr(decoded(buf.getvalue()), lanczos(img, w)))
    assert all(dB < floor for dB, floor in zip(worst, FLOORS, strict=True)), worst


def test_libswscale_is_no_worse_than_pillow_bicubic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Per density, the mean PSNR from Lanczos over these cards: libswscale's previews are at
    least as close as the Pillow bicubic they replace, less a tenth of a dB."""
    def means() -> list[float]:
        sums = [0.0, 0.0, 0.0]
        for _lang, pid, img in frames():
            widths = thumb_widths(PLATFORMS[pid])
            for density, (w, _h, data) in enumerate(thumbs.jpeg_previews(img, widths)):
                sums[density] += psnr(decoded(data), lanczos(img, w)) / len(frames())
        return sums

    new = means()
    monkeypatch.setattr(thumbs, "_AV", [None])
    old = means()
    assert all(n >= o - 0.1 for n, o in zip(new, old, strict=True)), (new, old)


def test_flat_colours_keep_their_value(path: str) -> None:
    """A fill comes back within 2 of its value at every width: the YCbCr is full-range BT.601,
    the JPEG's own (a studio range or BT.709 matrix would move this purple by 5-10)."""
    fill = (91, 31, 107)
    img = Image.new("RGB", (1080, 1920), fill)
    ImageDraw.Draw(img).text((100, 900), "Solidarity", fill="white", font_size=120)
    for w, _h, data in thumbs.jpeg_previews(img, (240, 480, 720)):
        corner = decoded(data).crop((0, 0, w // 4, w // 4))
        lo_hi = corner.getextrema()
        assert all(abs(lo - c) <= 2 and abs(hi - c) <= 2
                   for (lo, hi), c in zip(lo_hi, fill, strict=True)), (w, lo_hi)


DIGEST = """
def digest():
    import hashlib
    from PIL import Image, ImageDraw
    from shareables.render import thumbs
    img = Image.new("RGB", (1080, 1920), (15, 61, 46))
    d = ImageDraw.Draw(img)
    for i in range(12):
        d.text((40, 60 + 150 * i), f"shareables {i}", fill=(255, 255 - 20 * i, 110), font_size=96)
    h = hashlib.sha256()
    for _w, _h, data in thumbs.jpeg_previews(img, (240, 480, 720)):
        h.update(data)
    return h.hexdigest()
"""
SCRIPT = DIGEST + """
import sys
if sys.argv[1] == "c":  # switch FFmpeg's SIMD off: its C code is the reference
    import ctypes, av
    lib = next(line.split()[-1] for line in open("/proc/self/maps") if "libavutil" in line)
    ctypes.CDLL(lib).av_force_cpu_flags(0)
print(digest())
"""


def test_preview_bytes_are_the_same_every_run_and_on_every_cpu() -> None:
    """Twice in this process, in a fresh one, and in one with FFmpeg's SIMD switched off
    (`av_force_cpu_flags(0)`): libswscale's BITEXACT | ACCURATE_RND make its SIMD code give
    the C code's bytes (without them the last two digests differ)."""
    def fresh(mode: str) -> str:
        return subprocess.run([sys.executable, "-c", SCRIPT, mode], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()

    ns: dict[str, Any] = {}
    exec(DIGEST, ns)  # noqa: S102 - the subprocesses' own code, run here too
    here = [ns["digest"](), ns["digest"]()]
    assert len(here[0]) == 64
    assert here[0] == here[1] == fresh("simd") == fresh("c")


def test_a_pyav_older_than_the_pin_counts_as_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    """PyAV installed on its own, older than `reformat(threads=)`: previews take Pillow's path
    instead of failing on every card; the installed one is used."""
    import av

    monkeypatch.setattr(thumbs, "_AV", [])
    monkeypatch.setattr(av, "__version__", "16.1.0")
    assert thumbs._av() is None
    monkeypatch.setattr(thumbs, "_AV", [])
    monkeypatch.setattr(av, "__version__", f"{thumbs.AV_MIN}.0.0")
    assert thumbs._av() is av
