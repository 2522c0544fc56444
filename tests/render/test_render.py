"""Rendering: properties over variants x every platform, error cases, and golden images.

Golden images live in tests/render/golden/ as small downscaled PNGs. After an intended visual
change, regenerate them and look at the diff before committing:

    UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/render/test_render.py -k golden
"""

from __future__ import annotations

import io
import os
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw

from shareables.errors import RenderError
from shareables.platforms import PLATFORMS
from shareables.project.model import (
    Attribution,
    Background,
    Colors,
    Fonts,
    Theme,
    Variant,
    direction_of,
)
from shareables.render import compose as render
from shareables.render import encode, paint
from shareables.render.resources import Resources

ROOT = Path(__file__).resolve().parents[2]
FONTS = ROOT / "fonts"
GOLDEN = Path(__file__).resolve().parent / "golden"
HEADING = tuple(FONTS / n for n in ("NotoSerif-Bold.ttf", "NotoNaskhArabic-Bold.ttf",
                                    "NotoSansHebrew-Bold.ttf", "NotoColorEmoji.ttf"))
BODY = tuple(FONTS / n for n in ("NotoSans-Regular.ttf", "NotoNaskhArabic-Regular.ttf",
                                 "NotoSansHebrew-Regular.ttf", "NotoColorEmoji.ttf"))
THEME = Theme("default", Colors(), Fonts(HEADING, BODY))
QUOTE = "MADRE and its supporters saved my life and the lives of my children."
STATEMENT = (
    "All victims of international crimes deserve meaningful justice. The strength and "
    "credibility of international law depends upon its just, even application."
)


def make_variant(kind: str = "quote", text: str | None = QUOTE, lang: str = "en",
                 **kw: object) -> Variant:
    """A valid Variant built directly (the design loader is tested elsewhere)."""
    fields: dict[str, object] = dict(
        design_id="test", campaign="tests", kind=kind, lang=lang,
        direction=direction_of(lang), text=text, title=None, date=None, slides=None,
        attribution=Attribution("Jamila Afghani", "Afghan Human Rights Defender")
        if kind == "quote" else None,
        highlight=(), alt="alt text", caption=None, theme=THEME, background=Background(),
        handle="@madrespeaks", logo=ROOT / "brand" / "logo.svg", brand_name="MADRE",
        platforms=(), source=ROOT / "designs" / "tests" / "test.yaml", original=True,
    )
    fields.update(kw)
    return Variant(**fields)  # type: ignore[arg-type]


def make_photo(path: Path) -> Path:
    """A deterministic 'photo' with bright and dark areas (a Mandelbrot set, tinted)."""
    m = Image.effect_mandelbrot((1200, 800), (-2.2, -1.2, 1.0, 1.2), 60)
    img = Image.merge("RGB", (m, m.point(lambda v: min(255, v * 2)), m.point(lambda v: 255 - v)))
    img.save(path)
    return path


@pytest.fixture(scope="module")
def res() -> Resources:
    return Resources()


@pytest.fixture(scope="module")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_photo(tmp_path_factory.mktemp("photos") / "rally.png")


def variants(photo: Path) -> dict[str, Variant]:
    """The representative set the properties are checked over."""
    return {
        "quote": make_variant(highlight=("saved my life",)),
        "quote-ar": make_variant(
            text="كانت تسمى فلسطين. صارت تسمى فلسطين.", lang="ar",
            attribution=Attribution("محمود درويش", "على هذه الأرض"), highlight=("فلسطين",)),
        "quote-he": make_variant(
            text="אנחנו עומדות יחד למען צדק, שלום וכבוד לכל אישה.", lang="he",
            attribution=Attribution("רעות כהן", "פעילה לזכויות אדם")),
        "quote-emoji": make_variant(text="We stand together ✊🏽 for justice and peace 💜"),
        "statement": make_variant("statement", text=STATEMENT, title="Statement on the ICC",
                                  date="May 21, 2024", highlight=("meaningful justice",)),
        "tag": make_variant("tag", text=None),
        "carousel": make_variant(
            "carousel", text=None, title="On the ICC Request for Arrest Warrants",
            slides=(STATEMENT, "We amplify the demand for a **permanent ceasefire** and "
                    "unimpeded access to humanitarian aid.")),
        "photo": make_variant(background=Background(image=photo, focus=(0.3, 0.5), overlay=0.3,
                                                    credit="Photo: Test Photographer")),
    }


@pytest.fixture(scope="module")
def rendered(res: Resources, photo: Path) -> dict[tuple[str, str], list[render.Slide]]:
    out = {}
    for name, v in variants(photo).items():
        for pid, p in PLATFORMS.items():
            if p.document and v.kind != "carousel":
                continue
            out[(name, pid)] = render.render_slides(v, p, res)
    return out


# --- properties over every platform -----------------------------------------------------------


def test_canvas_size_matches_the_platform_table(rendered):
    for (name, pid), slides in rendered.items():
        p = PLATFORMS[pid]
        for s in slides:
            assert s.image.size == p.size, (name, pid)
            assert s.image.mode == "RGB"


def test_text_ink_lies_inside_the_safe_area(rendered):
    for (name, pid), slides in rendered.items():
        left, top, right, bottom = PLATFORMS[pid].safe_box()
        for s in slides:
            assert s.items, (name, pid)
            for it in s.items:
                l2, t2, r2, b2 = it.ink
                assert left <= l2 and top <= t2 and r2 <= right and b2 <= bottom, (
                    name, pid, s.role, it.role, it.ink)


def test_body_text_is_at_or_above_the_legibility_floor(rendered):
    for (name, pid), slides in rendered.items():
        floor = PLATFORMS[pid].min_body_px
        for s in slides:
            for it in s.items:
                if it.role != "credit":
                    assert it.size >= floor, (name, pid, it.role, it.size, floor)


def test_contrast_meets_wcag_aa_on_the_pixels_behind(rendered):
    for (name, pid), slides in rendered.items():
        for s in slides:
            for it in s.items:
                assert it.contrast >= it.required, (name, pid, it.role, it.contrast)


def test_photo_overlay_is_strengthened_until_text_passes(rendered):
    slides = rendered[("photo", "instagram-square")]
    assert slides[0].overlay is not None and slides[0].overlay > 0.3
    assert any("overlay strengthened" in n for n in slides[0].notes)


def test_carousel_slides_cover_content_closing_with_one_type_size(rendered):
    slides = rendered[("carousel", "instagram-portrait")]
    assert [s.role for s in slides] == ["cover", "content", "content", "closing"]
    sizes = {it.size for s in slides if s.role == "content" for it in s.items if it.role == "text"}
    assert len(sizes) == 1
    # Content text sits at the optical centre of the content box: the space above it is
    # the space below less the 4 % lift, on every slide.
    for s in slides:
        if s.role == "content":
            main = s.layout.boxes["main"]
            text = next(it for it in s.items if it.role == "text")
            above, below = text.box[1] - main.y, main.bottom - text.box[3]
            assert abs(above - below * 0.92) <= 0.05 * main.h + 2, (above, below)
    counters = [it for s in slides for it in s.items if it.role == "counter"]
    assert len(counters) == 3  # content and closing slides; the cover has none


def test_rtl_carousel_mirrors_counter_and_cue(res):
    v = make_variant("carousel", text=None, lang="ar", title="عنوان", slides=("نص قصير.",))
    p = PLATFORMS["instagram-portrait"]
    slides = render.render_slides(v, p, res)
    content = slides[1]
    counter = next(it for it in content.items if it.role == "counter")
    assert counter.ink[2] < p.width / 2  # counter at the left
    cue = content.layout.boxes["cue"]
    assert cue.x < p.width / 2
    # The cue arrow points left: its tip (leftmost accent pixel) is at the box's left edge.
    strip = content.image.crop(cue.ltrb)
    accent = paint.rgb(THEME.colors.accent)
    xs = [x for x in range(strip.width) for y in range(strip.height)
          if strip.getpixel((x, y)) == accent]
    assert xs and min(xs) <= 2


def test_too_many_slides_is_an_error_for_that_platform_only(res):
    v = make_variant("carousel", text=None, title="Title",
                     slides=tuple(f"Slide number {i}." for i in range(4)))
    with pytest.raises(RenderError) as e:
        render.render_slides(v, PLATFORMS["x"], res)
    msg = str(e.value)
    # cover + 4 content slides: still too many once the closing slide has given way
    assert "x takes at most 4 images" in msg and "needs 5 slides" in msg
    assert e.value.field == "slides" and e.value.file.endswith("test.yaml")
    assert len(render.render_slides(v, PLATFORMS["instagram-square"], res)) == 6


def test_tight_platforms_drop_the_closing_slide_before_any_content(res):
    v = make_variant("carousel", text=None, title="Title",
                     slides=tuple(f"Slide number {i}." for i in range(3)))
    roles = [s.role for s in render.render_slides(v, PLATFORMS["x"], res)]
    assert roles == ["cover", "content", "content", "content"]
    roles = [s.role for s in render.render_slides(v, PLATFORMS["instagram-square"], res)]
    assert roles == ["cover", "content", "content", "content", "closing"]


def test_carousel_on_a_link_preview_is_its_cover(res, photo):
    v = variants(photo)["carousel"]
    assert len(render.render_variant(v, PLATFORMS["og"], res)) == 1


def test_two_renders_are_byte_identical(res, photo):
    for name, v in variants(photo).items():
        for pid in ("instagram-square", "instagram-story", "x"):
            p = PLATFORMS[pid]
            a = [encode.encode_image(i, p, alt="a", photo=False).data
                 for i in render.render_variant(v, p, Resources())]
            b = [encode.encode_image(i, p, alt="a", photo=False).data
                 for i in render.render_variant(v, p, res)]
            assert a == b, (name, pid)


def test_debug_overlay_draws_boxes(res):
    v = make_variant()
    p = PLATFORMS["instagram-square"]
    plain = render.render_variant(v, p, res)[0]
    dbg = render.render_variant(v, p, res, debug=True)[0]
    left, top, _, _ = p.safe_box()
    assert dbg.getpixel((left, p.height // 2)) == (255, 0, 0)
    assert plain.getpixel((left, p.height // 2)) != (255, 0, 0)


def test_text_that_cannot_fit_names_platform_field_and_cut(res):
    v = make_variant(text=" ".join(["solidarity"] * 400))
    with pytest.raises(RenderError) as e:
        render.render_slides(v, PLATFORMS["linkedin"], res)
    assert e.value.field == "text"
    assert "linkedin" in str(e.value) and "cut about" in str(e.value)


def test_failing_contrast_on_a_flat_background_reports_the_ratio(res):
    grey = replace(THEME, colors=Colors(background="#777777", text="#888888"))
    with pytest.raises(RenderError, match=r"contrast of 1\.\d\d:1"):
        render.render_slides(make_variant(theme=grey), PLATFORMS["x"], res)


def test_gradient_background(res):
    v = make_variant(background=Background(gradient=("#5b1f6b", "#1b2a41")))
    img = render.render_variant(v, PLATFORMS["instagram-square"], res)[0]
    assert img.getpixel((5, 5)) != img.getpixel((5, 1074))


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("ref", [
    '<image href="file:///etc/passwd" width="1" height="1"/>',
    '<image xlink:href="https://example.org/x.png" width="1" height="1"/>',
    '<rect style="fill:url(http://example.org/p.svg#g)" width="1" height="1"/>',
    '<style>@import "x.css";</style>',
    '<use href="other.svg#logo"/>',
])
def test_svg_logo_with_external_references_is_refused(tmp_path, res, ref):
    svg = tmp_path / "logo.svg"
    svg.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="0 0 10 10">{ref}</svg>')
    with pytest.raises(RenderError, match="references something outside itself") as e:
        render.render_slides(make_variant(logo=svg), PLATFORMS["x"], res)
    assert e.value.field == "logo"


def test_svg_with_internal_references_and_data_uris_is_fine(tmp_path, res):
    svg = tmp_path / "logo.svg"
    svg.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 10"><defs><linearGradient '
        'id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>'
        '<rect width="40" height="10" style="fill:url(#g)"/></svg>')
    logo = res.logo(svg, 37, "#ffffff")
    assert logo.size == (148, 37)  # exact pixel height, aspect kept


def test_decompression_bomb_is_refused(tmp_path, res):
    bomb = tmp_path / "bomb.png"
    Image.new("1", (10_000, 10_000)).save(bomb)  # a few kB claiming 100 megapixels
    v = make_variant(background=Background(image=bomb))
    with pytest.raises(RenderError, match="too large to decode safely") as e:
        render.render_slides(v, PLATFORMS["x"], res)
    assert e.value.field == "background.image" and "bomb.png" in str(e.value)


def test_corrupt_image_is_refused(tmp_path, res):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    v = make_variant(background=Background(image=bad))
    with pytest.raises(RenderError, match="cannot read broken.jpg") as e:
        render.render_slides(v, PLATFORMS["x"], res)
    assert e.value.field == "background.image"


# --- golden images ----------------------------------------------------------------------------

GOLDEN_CASES = {
    **{f"{kind}-{a}": (kind, pid) for kind in ("quote", "statement", "tag", "carousel")
       for a, pid in (("square", "instagram-square"), ("story", "instagram-story"),
                      ("landscape", "x"))},
    "quote-ar-story": ("quote-ar", "instagram-story"),
    "quote-he-square": ("quote-he", "instagram-square"),
    "quote-emoji-square": ("quote-emoji", "instagram-square"),
    "photo-portrait": ("photo", "instagram-portrait"),
}
GOLDEN_WIDTH = 270


def sheet(images: list[Image.Image], width: int = GOLDEN_WIDTH) -> Image.Image:
    """Slides side by side, each downscaled to ``width`` (a contact sheet)."""
    small = [i.resize((width, round(i.height * width / i.width)), Image.Resampling.LANCZOS)
             for i in images]
    out = Image.new("RGB", (sum(s.width for s in small) + 4 * (len(small) - 1), small[0].height),
                    (255, 255, 255))
    x = 0
    for s in small:
        out.paste(s, (x, 0))
        x += s.width + 4
    return out


def assert_matches_golden(name: str, img: Image.Image) -> None:
    path = GOLDEN / f"{name}.png"
    if os.environ.get("UPDATE_GOLDENS") or not path.exists():
        if not os.environ.get("UPDATE_GOLDENS"):
            pytest.fail(f"no golden image {path.name}; run with UPDATE_GOLDENS=1 to create it")
        GOLDEN.mkdir(exist_ok=True)
        img.save(path, optimize=True)
        return
    want = Image.open(path).convert("RGB")
    assert want.size == img.size, f"{name}: size {img.size} != golden {want.size}"
    diff = ImageChops.difference(want, img).convert("L")
    hist = diff.histogram()
    off = sum(hist[48:]) / (img.width * img.height)
    if off > 0.005:
        out = Path(os.environ.get("GOLDEN_DIFF_DIR", "/tmp")) / f"golden-diff-{name}.png"
        sheet([want, img, diff.point(lambda v: min(255, v * 4)).convert("RGB")],
              img.width).save(out)
        pytest.fail(
            f"{name}: {off:.2%} of pixels differ from the golden image; see {out} (golden | new "
            "| difference). If the change is intended (layout, typography or font changes "
            "show up here), regenerate: UPDATE_GOLDENS=1 .venv/bin/python -m pytest "
            "tests/render/test_render.py -k golden")


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden(name, rendered):
    key = GOLDEN_CASES[name]
    slides = rendered[key]
    assert_matches_golden(name, sheet([s.image for s in slides]))


def test_golden_comparison_catches_a_change(rendered, tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "GOLDEN", tmp_path)
    monkeypatch.delenv("UPDATE_GOLDENS", raising=False)
    img = sheet([rendered[("quote", "instagram-square")][0].image])
    img.save(tmp_path / "probe.png")
    assert_matches_golden("probe", img)
    changed = img.copy()
    ImageDraw.Draw(changed).rectangle((0, 0, 60, 60), fill=(0, 0, 0))
    with pytest.raises(pytest.fail.Exception, match="differ from the golden"):
        assert_matches_golden("probe", changed)


def test_encoded_render_round_trips(res):
    p = PLATFORMS["instagram-story"]
    img = render.render_variant(make_variant(), p, res)[0]
    e = encode.encode_image(img, p, alt="Quote by Jamila Afghani", photo=False)
    back = Image.open(io.BytesIO(e.data))
    assert back.size == p.size and back.info["Description"] == "Quote by Jamila Afghani"


def test_rtl_quote_mirrors_the_mark_and_chrome(rendered):
    for pid in ("instagram-square", "instagram-story", "x"):
        p = PLATFORMS[pid]
        ltr, rtl = rendered[("quote", pid)][0], rendered[("quote-ar", pid)][0]
        mark_l, mark_r = ltr.layout.boxes["mark"], rtl.layout.boxes["mark"]
        assert mark_l.x < p.width / 2 < mark_r.right
        handle_l = next(it for it in ltr.items if it.role == "handle")
        handle_r = next(it for it in rtl.items if it.role == "handle")
        assert handle_l.ink[0] < p.width / 2 < handle_r.ink[2]
        # Start-aligned text hugs the right edge of its box in RTL.
        text_r = next(it for it in rtl.items if it.role == "text")
        assert text_r.box[2] - text_r.ink[2] < 0.02 * p.width


def test_linkedin_document_is_a_pdf_of_the_slides(rendered):
    import pypdf

    slides = rendered[("carousel", "linkedin-document")]
    data = encode.encode_pdf([s.image for s in slides], title="On the ICC", alt="alt")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == len(slides) == 4
    assert {(float(pg.mediabox.width), float(pg.mediabox.height)) for pg in reader.pages} == {
        (1080.0, 1350.0)}


def test_long_quotes_take_the_body_face_on_every_platform(res):
    long = " ".join([QUOTE] * 5)
    for p in ("instagram-square", "instagram-story", "x", "pinterest"):
        slide = render.render_slides(make_variant(text=long), PLATFORMS[p], res)[0]
        text = next(it for it in slide.items if it.role == "text")
        assert not text.bold, p
        assert text.size >= PLATFORMS[p].min_body_px
    short = render.render_slides(make_variant(), PLATFORMS["instagram-square"], res)[0]
    short_text = next(it for it in short.items if it.role == "text")
    assert short_text.bold and short_text.size > text.size


def test_a_character_no_font_has_is_an_error_not_tofu(res):
    v = make_variant(text="Solidarity \U00013000 forever")
    with pytest.raises(RenderError, match=r"no font in the list can draw .*U\+13000") as e:
        render.render_slides(v, PLATFORMS["x"], res)
    assert e.value.field == "text"
    v = make_variant(attribution=Attribution("Ⲁⲛⲛⲁ", None))
    with pytest.raises(RenderError, match="U\\+2C80") as e:
        render.render_slides(v, PLATFORMS["x"], res)
    assert e.value.field == "attribution.name"


def test_every_shipped_design_on_every_platform(res):
    """The properties over the organisation's own designs, on all platforms (not just theirs)."""
    from shareables.project.design import load_designs
    from shareables.project.settings import load_settings

    settings = load_settings(ROOT)
    designs, errors = load_designs(ROOT, settings)
    assert not errors and designs
    checked = 0
    for d in designs:
        for v in d.variants:
            for pid, p in PLATFORMS.items():
                if p.document and v.kind != "carousel":
                    continue
                try:
                    slides = render.render_slides(v, p, res)
                except RenderError as e:
                    # Only a carousel longer than the platform allows may fail, and it says so.
                    assert v.kind == "carousel" and f"{pid} takes at most" in str(e), str(e)
                    continue
                left, top, right, bottom = p.safe_box()
                for s in slides:
                    assert s.image.size == p.size
                    for it in s.items:
                        l2, t2, r2, b2 = it.ink
                        assert left <= l2 and top <= t2 and r2 <= right and b2 <= bottom, (
                            d.id, v.lang, pid, it.role)
                        assert it.role == "credit" or it.size >= p.min_body_px
                        assert it.contrast >= it.required, (d.id, pid, it.role, it.contrast)
                checked += 1
    assert checked >= 100


def test_carousel_photo_is_on_the_cover_only(res, photo):
    v = replace(variants(photo)["carousel"],
                background=Background(image=photo, credit="Photo: Test Photographer"))
    slides = render.render_slides(v, PLATFORMS["instagram-portrait"], res)
    assert slides[0].overlay is not None
    assert any(it.role == "credit" for it in slides[0].items)
    for s in slides[1:]:
        assert s.overlay is None and not any(it.role == "credit" for it in s.items)
        assert s.image.getpixel((5, 5)) == paint.rgb(THEME.colors.background)


@pytest.mark.parametrize("kind", ["quote", "statement", "tag", "carousel"])
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_designs_without_a_handle_render_without_one(res, kind, lang):
    kw: dict[str, object] = {"text": STATEMENT} if kind == "statement" else {}
    if kind in ("tag", "carousel"):
        kw = {"text": None}
    if kind == "carousel":
        kw.update(title="Title", slides=("One slide of text.",))
    v = make_variant(kind, lang=lang, handle=None, **kw)
    for s in render.render_slides(v, PLATFORMS["instagram-square"], res):
        assert not any(it.role == "handle" for it in s.items)


def test_carousel_on_a_single_image_platform_has_no_chrome(res):
    v = make_variant("carousel", text=None, title=None, slides=("One.", "Two."))
    (slide,) = render.render_slides(v, PLATFORMS["og"], res)
    assert not any(it.role == "counter" for it in slide.items)
    cue = slide.layout.boxes["cue"]
    strip = slide.image.crop(cue.ltrb)
    assert strip.getcolors() is not None and len(strip.getcolors()) == 1  # no arrow drawn


def test_dark_text_on_a_photo_gets_a_light_veil(res, photo):
    light = replace(THEME, colors=Colors(background="#f6f1e9", text="#1b1b1b", accent="#8a1538"))
    v = make_variant(theme=light, background=Background(image=photo, overlay=0.6))
    slide = render.render_slides(v, PLATFORMS["instagram-square"], res)[0]
    for it in slide.items:
        assert it.contrast >= it.required, it.role
    corner = slide.image.getpixel((3, slide.image.height - 4))  # the scrimmed (text) side
    assert sum(corner) / 3 > 128  # veiled towards white, not black
