"""Encoding: formats, quality, chroma, alt text metadata, byte limits, determinism, PDF."""

from __future__ import annotations

import io
from dataclasses import replace

import pypdf
import pytest
from PIL import Image, ImageDraw, JpegImagePlugin

from shareables.errors import RenderError
from shareables.platforms import PLATFORMS
from shareables.render import encode

ALT = "Quote: “It was called Palestine.” — Mahmoud Darwish <@madrespeaks> & more"


def card(size=(1080, 1080)) -> Image.Image:
    img = Image.new("RGB", size, (91, 31, 107))
    d = ImageDraw.Draw(img)
    d.rectangle((100, 100, 500, 300), fill=(242, 177, 52))
    d.text((120, 400), "Hello", fill="white", font_size=80)
    return img


def blotchy(size=(800, 450)) -> Image.Image:
    """A photo-like image: noise blurred, so JPEG size depends strongly on quality."""
    from PIL import ImageFilter

    return noisy(size).filter(ImageFilter.GaussianBlur(2))


def noisy(size=(1600, 900)) -> Image.Image:
    """Incompressible pixels: forces the encoder against byte limits."""
    import random

    return Image.frombytes("RGB", size, random.Random(0).randbytes(size[0] * size[1] * 3))


def test_jpeg_is_quality_90_plus_with_full_chroma_and_srgb():
    e = encode.encode_image(card(), PLATFORMS["instagram-square"], alt=ALT, photo=False)
    assert (e.fmt, e.ext, e.content_type) == ("jpeg", "jpg", "image/jpeg")
    im = Image.open(io.BytesIO(e.data))
    assert im.mode == "RGB" and im.size == (1080, 1080)
    assert JpegImagePlugin.get_sampling(im) == 0  # 4:4:4
    # Luma quantisation at quality >= 90: the standard table's largest step (121) at <= 20 %.
    assert max(im.quantization[0]) <= 24
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(io.BytesIO(im.info["icc_profile"]))
    assert "sRGB" in icc.profile.profile_description
    assert e.notes == []


def test_png_where_the_platform_prefers_it_with_alt_text():
    e = encode.encode_image(card((1080, 1920)), PLATFORMS["instagram-story"], alt=ALT,
                            photo=False)
    assert e.fmt == "png"
    im = Image.open(io.BytesIO(e.data))
    assert im.info["Description"] == ALT
    assert "AltTextAccessibility" in im.info["XML:com.adobe.xmp"]
    assert "&lt;@madrespeaks&gt; &amp; more" in im.info["XML:com.adobe.xmp"]
    assert "srgb" in im.info


def test_jpeg_carries_alt_text_in_xmp_and_comment():
    e = encode.encode_image(card(), PLATFORMS["instagram-square"], alt=ALT, photo=False)
    im = Image.open(io.BytesIO(e.data))
    assert im.info["comment"].decode() == ALT
    xmp = im.info["xmp"].decode()
    assert "Mahmoud Darwish" in xmp and "dc:description" in xmp


def test_photos_prefer_jpeg_where_the_platform_takes_it():
    e = encode.encode_image(card(), PLATFORMS["x"], alt=ALT, photo=True)
    assert e.fmt == "jpeg"
    e = encode.encode_image(card(), PLATFORMS["x"], alt=ALT, photo=False)
    assert e.fmt == "png"


def test_same_pixels_same_bytes():
    for pid in ("instagram-square", "instagram-story", "bluesky"):
        p = PLATFORMS[pid]
        a = encode.encode_image(card(p.size), p, alt=ALT, photo=False)
        b = encode.encode_image(card(p.size), p, alt=ALT, photo=False)
        assert a.data == b.data


def test_over_the_png_limit_switches_to_jpeg_with_a_note():
    fb = PLATFORMS["facebook"]  # PNG only while under 1 MB
    e = encode.encode_image(noisy((1080, 1350)), fb, alt=ALT, photo=False)
    assert e.fmt == "jpeg"
    assert e.notes and "PNG was" in e.notes[0] and "1,000,000-byte limit" in e.notes[0]


def test_byte_limit_steps_quality_and_says_so():
    img = blotchy()
    bluesky = PLATFORMS["bluesky"]
    e = encode.encode_image(img, bluesky, alt=ALT, photo=True)
    assert len(e.data) < 1_000_000
    # A limit between the sizes at quality 90 and 82: the encoder must go below 90, and say so.
    q90 = len(encode._save(img, "jpeg", ALT, 90))
    q82 = len(encode._save(img, "jpeg", ALT, 82))
    limit = (q90 + q82) // 2
    tight = replace(bluesky, max_bytes=limit, formats=("jpeg",))
    e = encode.encode_image(img, tight, alt=ALT, photo=True)
    assert len(e.data) <= limit
    assert e.notes and "quality >= 90" in e.notes[0]
    assert "quality 86" in e.notes[0] or "quality 82" in e.notes[0]


def test_an_image_that_fits_no_limit_is_an_error():
    impossible = replace(PLATFORMS["bluesky"], max_bytes=5_000, formats=("jpeg",))
    with pytest.raises(RenderError, match="5,000-byte limit"):
        encode.encode_image(noisy((400, 400)), impossible, alt=ALT, photo=True)


def test_pdf_pages_are_lossless_rgb_at_the_slide_size():
    slides = [card((1080, 1350)) for _ in range(3)]
    ImageDraw.Draw(slides[1]).rectangle((0, 0, 50, 50), fill=(1, 2, 3))
    data = encode.encode_pdf(slides, title="On the ICC", alt=ALT)
    assert data == encode.encode_pdf(slides, title="On the ICC", alt=ALT)
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 3
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (1080, 1350)
    assert reader.metadata.title == "On the ICC"
    assert reader.metadata.subject == ALT
    got = reader.pages[1].images[0].image.convert("RGB")
    assert got.size == (1080, 1350)
    assert got.tobytes() == slides[1].tobytes()  # lossless, not JPEG
    assert b"/CreationDate" not in data


def test_pdf_needs_pages():
    with pytest.raises(ValueError):
        encode.encode_pdf([], title="x", alt="y")


def test_falls_through_to_the_next_format_before_lowering_quality():
    img = blotchy()
    jpeg90 = len(encode._save(img, "jpeg", ALT, 90))
    webp94 = len(encode._save(img, "webp", ALT, 94))
    assert webp94 < jpeg90  # the premise: WebP fits where JPEG at q90 does not
    limit = (webp94 + jpeg90) // 2
    p = replace(PLATFORMS["bluesky"], max_bytes=limit)  # formats: jpeg, then webp
    e = encode.encode_image(img, p, alt=ALT, photo=True)
    assert e.fmt == "webp" and e.content_type == "image/webp" and len(e.data) <= limit
    assert "saved as WEBP at quality 94" in e.notes[0]
    assert b"AltTextAccessibility" in e.data


# --- PNG: zlib-ng deflate, palette within the stated threshold ------------------------------


def gradient(size=(1200, 630)) -> Image.Image:
    """Thousands of colours (a two-axis gradient): must stay truecolour, pixel for pixel."""
    w, h = size
    return Image.merge("RGB", [Image.linear_gradient("L").resize(size),
                               Image.linear_gradient("L").rotate(90).resize(size),
                               Image.new("L", size, 90)])


def _decoded(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def test_png_is_one_zlib_ng_idat_that_decodes_to_the_exact_pixels():
    img = gradient()
    e = encode.encode_image(img, PLATFORMS["og"], alt=ALT, photo=False)
    assert e.fmt == "png"
    chunks = encode._chunks(e.data)
    assert [c for c, _ in chunks].count(b"IDAT") == 1
    assert [c for c, _ in chunks][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    im = _decoded(e.data)  # Pillow checks every chunk's CRC while decoding
    assert im.mode == "RGB" and im.tobytes() == img.tobytes()  # lossless
    assert im.info["Description"] == ALT


def test_png_bytes_are_the_same_on_every_run_and_in_a_fresh_process():
    import subprocess
    import sys

    code = ("import sys; sys.path.insert(0, 'tests/render'); from test_encode import card, ALT;"
            "from shareables.render import encode; from shareables.platforms import PLATFORMS;"
            "import hashlib; p = PLATFORMS['og']; print(hashlib.sha256(encode.encode_image("
            "card(p.size), p, alt=ALT, photo=False).data).hexdigest())")
    import hashlib

    p = PLATFORMS["og"]
    here = {hashlib.sha256(encode.encode_image(card(p.size), p, alt=ALT, photo=False).data
                           ).hexdigest() for _ in range(2)}
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.strip()
    assert here == {there}


def test_flat_card_is_a_palette_png_within_the_stated_error():
    import math

    from shareables.platforms import PLATFORMS as P

    for pid in ("og", "instagram-story", "x"):
        img = card(P[pid].size)
        d = ImageDraw.Draw(img)  # anti-aliased text: hundreds of colours, as on real cards
        d.text((80, 500), "It was called Palestine", fill=(242, 177, 52), font_size=90)
        assert 256 < len(img.getcolors(1 << 24)) <= encode.PALETTE_MAX_COLOURS
        e = encode.encode_image(img, P[pid], alt=ALT, photo=False)
        im = _decoded(e.data)
        assert im.mode == "P", pid
        back = im.convert("RGB")
        from PIL import ImageChops, ImageStat

        diff = ImageChops.difference(img, back)
        assert max(hi for _lo, hi in diff.getextrema()) <= encode.PALETTE_MAX_ERROR
        mse = sum(ImageStat.Stat(diff).sum2) / (3 * img.width * img.height)
        assert mse == 0 or 10 * math.log10(255**2 / mse) >= 45  # PSNR
        truecolour = encode._deflate_png(_stored_rgb(img))
        assert len(e.data) < len(truecolour)  # (and e.data carries the alt text too)


def _stored_rgb(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=0)
    return buf.getvalue()


def test_palette_is_refused_when_it_would_be_off_by_more_than_the_threshold():
    # 300 colours, each far from all others: 256 palette entries cannot hold them.
    img = Image.new("RGB", (300, 20))
    for i in range(300):
        img.paste(((i * 37) % 256, (i * 91) % 256, (i * 53 + i // 256 * 128) % 256),
                  (i, 0, i + 1, 20))
    assert encode._palette(img) is img
    rich = gradient()
    assert encode._palette(rich) is rich  # thousands of colours: truecolour
