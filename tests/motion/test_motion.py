"""Clips: decoded back and held against their profile, ending on the still, in reading order.

Clips here are 2 seconds long on the X profile (1280×720, the smallest) so the module stays
fast; the 1080×1920 8-second clip is measured in benchmarks/motion.py. Contact sheets of the
clips (every fourth frame) are written to test-artifacts/motion/ for people to look at.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw

pytest.importorskip("av")

from fixtures_project import make_project  # noqa: E402

from shareables.motion import units as U  # noqa: E402
from shareables.motion.check import decoded_frames, inspect  # noqa: E402
from shareables.motion.clip import render_clip  # noqa: E402
from shareables.platforms import CLIPS, FPS, clip_platform  # noqa: E402
from shareables.project.design import load_designs  # noqa: E402
from shareables.project.model import Motion  # noqa: E402
from shareables.project.settings import load_settings  # noqa: E402
from shareables.render.compose import render_slides  # noqa: E402
from shareables.render.resources import Resources  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
SHEETS = ROOT / "test-artifacts" / "motion"
SHORT = Motion(duration=2.0, hold=0.5)


@pytest.fixture(scope="module")
def proj(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("motion") / "project")
    # A photo with structure, so a camera move shows in the pixels.
    img = Image.new("RGB", (1600, 1200), (70, 40, 90))
    d = ImageDraw.Draw(img)
    for x in range(0, 1600, 80):
        d.rectangle((x, 0, x + 39, 1200), fill=(120, 80, 60))
    img.save(root / "photos" / "rally.png")
    return root


@pytest.fixture(scope="module")
def variants(proj: Path) -> dict[str, object]:
    settings = load_settings(proj)
    designs, errors = load_designs(proj, settings)
    assert not errors
    return {f"{d.id}/{v.lang}": v for d in designs for v in d.variants}


@pytest.fixture(scope="module")
def res() -> Resources:
    return Resources()


def sheet(name: str, frames: list[Image.Image], every: int = 4) -> None:
    """A contact sheet of every ``every``-th frame (and the last), numbered."""
    picks = sorted({*range(0, len(frames), every), len(frames) - 1})
    w, h = 320, round(320 * frames[0].height / frames[0].width)
    cols = 6
    out = Image.new("RGB", (cols * (w + 4) + 4, (len(picks) + cols - 1) // cols * (h + 4) + 4),
                    "white")
    for k, i in enumerate(picks):
        im = frames[i].resize((w, h))
        ImageDraw.Draw(im).text((4, 2), str(i), fill="yellow")
        out.paste(im, (4 + k % cols * (w + 4), 4 + k // cols * (h + 4)))
    SHEETS.mkdir(parents=True, exist_ok=True)
    out.save(SHEETS / f"{name}.png")


def difference(a: Image.Image, b: Image.Image) -> tuple[float, int]:
    """(mean, 99th percentile) of the per-pixel luma difference."""
    hist = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L").histogram()
    n = sum(hist)
    mean = sum(i * c for i, c in enumerate(hist)) / n
    acc, p99 = 0, 0
    for i, c in enumerate(hist):
        acc += c
        if acc >= 0.99 * n:
            p99 = i
            break
    return mean, p99


def changed(a: Image.Image, b: Image.Image) -> int:
    """Pixels whose luma differs by more than 40 levels."""
    d = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).convert("L")
    return sum(d.histogram()[41:])


def assert_profile(data: bytes, clip_id: str, frames: int) -> None:
    p = CLIPS[clip_id]
    r = inspect(data)
    assert (r.codec, r.profile, r.pix_fmt) == ("h264", "High", "yuv420p")
    assert r.fps == FPS and r.frames == frames and abs(r.duration - frames / FPS) < 1e-6
    assert (r.width, r.height) == (p.width, p.height)
    assert r.moov_first and not r.edit_lists
    assert 0 < r.video_kbps <= p.max_kbps
    assert (r.audio is not None) == p.audio


def assert_ends_on_still(data: bytes, still: Image.Image) -> list[Image.Image]:
    frames = decoded_frames(data)
    mean, p99 = difference(frames[-1], still)
    # 4:2:0 chroma and H.264 quantisation only: a frame of another state differs by far more
    assert mean < 3 and p99 < 24, (mean, p99)
    return frames


def test_latin_quote_clip(variants: dict, res: Resources) -> None:
    v = variants["darwish-on-this-earth/en"]
    clip = render_clip(v, "x-video", res, motion=SHORT)
    assert clip.frames == 2 * FPS
    assert_profile(clip.data, "x-video", clip.frames)
    frames = assert_ends_on_still(clip.data, clip.still)
    sheet("quote-en-words", frames)
    # It starts on the background with its marks, not on the text.
    first_mean, _ = difference(frames[0], clip.still)
    assert first_mean > 3
    # Unchanged frames (the hold) are not composed again.
    assert clip.composed < clip.frames
    assert clip.captions.startswith("WEBVTT") and "It was called Palestine." in clip.captions


def _ink_columns(frame: Image.Image, base: Image.Image, box: tuple[int, int, int, int]
                 ) -> tuple[int, int] | None:
    """Leftmost and rightmost columns where text shows in ``box`` (vs the bare background)."""
    d = ImageChops.difference(frame.crop(box), base.crop(box)).convert("L")
    bbox = d.point(lambda x: 255 if x > 80 else 0).getbbox()
    return None if bbox is None else (box[0] + bbox[0], box[0] + bbox[2])


def test_arabic_word_reveal_runs_right_to_left(variants: dict, res: Resources) -> None:
    v = variants["darwish-on-this-earth/ar"]
    motion = dataclasses.replace(SHORT, reveal="words")
    clip = render_clip(v, "x-video", res, motion=motion)
    assert_profile(clip.data, "x-video", clip.frames)
    frames = assert_ends_on_still(clip.data, clip.still)
    sheet("quote-ar-words", frames, every=2)

    slide = render_slides(v, clip_platform("x-video"), res, layers=True)[0]
    assert slide.base is not None
    lines = U.word_units(slide.items, 0)
    first_line = lines[0]
    # Reading order: the first word of line 1 is its rightmost.
    assert first_line[0].right == max(u.right for u in first_line)
    assert [u.text for u in first_line] == slide.items[0].block.lines[0].text.split()
    band = (first_line[-1].left, first_line[0].boxes[0][1], first_line[0].right,
            first_line[0].boxes[0][3])
    seen = [(i, c) for i, f in enumerate(frames) if (c := _ink_columns(f, slide.base, band))]
    assert seen, "line 1 never appears"
    i0, (left0, right0) = seen[0]
    first = first_line[0]
    # The first text to show on line 1 is the rightmost word, and only it.
    assert left0 >= first.left - 2 and right0 <= first.right + 2, (left0, right0, first)
    # Frame by frame, the revealed part grows leftwards; its right end stays put.
    lefts = [c[0] for _, c in seen]
    assert all(b <= a + 1 for a, b in zip(lefts, lefts[1:], strict=False)), lefts
    assert lefts[-1] < first.left - 20
    rights = {c[1] for _, c in seen}
    assert max(rights) - min(rights) <= 3


def test_carousel_slideshow(variants: dict, res: Resources) -> None:
    v = variants["three-things/en"]
    clip = render_clip(v, "x-video", res, motion=Motion(duration=6.0, hold=1.0))
    assert_profile(clip.data, "x-video", clip.frames)
    slides = render_slides(v, clip_platform("x-video"), res)
    frames = assert_ends_on_still(clip.data, slides[-1].image)
    sheet("carousel-slideshow", frames, every=6)
    # Every slide is shown whole at some point, in order, with cross-fades between.
    shown = []
    for s in slides:
        hits = [i for i, f in enumerate(frames) if changed(f, s.image) < 20]
        assert hits, f"slide {s.role} never held"
        shown.append(hits[0])
    assert shown == sorted(shown)
    # A cross-fade, not a cut: frames on the way that are neither slide.
    between = [i for i in range(shown[1], shown[2])
               if changed(frames[i], slides[1].image) > 200
               and changed(frames[i], slides[2].image) > 200]
    assert len(between) >= 5, between


def test_photo_ken_burns(variants: dict, res: Resources) -> None:
    v = variants["defenders/en"]
    clip = render_clip(v, "x-video", res, motion=SHORT)
    assert_profile(clip.data, "x-video", clip.frames)
    frames = assert_ends_on_still(clip.data, clip.still)
    sheet("photo-kenburns", frames)
    # The stripes are wider at the start (zoomed in) and settle on the still's crop.
    row = round(clip.still.height * 0.08)  # above the text, in the photo

    def stripes(img: Image.Image) -> int:
        line = list(img.convert("L").crop((0, row, img.width, row + 1)).tobytes())
        return sum(1 for a, b in zip(line, line[1:], strict=False) if abs(a - b) > 12)

    assert stripes(frames[0]) < stripes(frames[-1])
    assert difference(frames[0], clip.still)[0] > 3


def test_same_inputs_same_bytes(variants: dict, res: Resources) -> None:
    v = variants["darwish-on-this-earth/ar"]
    a = render_clip(v, "x-video", res, motion=SHORT)
    b = render_clip(v, "x-video", Resources(), motion=SHORT)
    assert a.data == b.data and a.captions == b.captions


def test_reel_profile_has_silent_aac(variants: dict, res: Resources) -> None:
    v = variants["share-palestine/en"]
    clip = render_clip(v, "instagram-reel", res, motion=Motion(duration=3.0, hold=1.0))
    assert_profile(clip.data, "instagram-reel", clip.frames)
    assert inspect(clip.data).audio == "aac/48000/2"


def test_a_clip_outside_the_profile_is_an_error(variants: dict, res: Resources) -> None:
    from shareables.errors import RenderError

    v = variants["share-palestine/en"]
    with pytest.raises(RenderError) as exc:
        render_clip(v, "instagram-reel", res, motion=Motion(duration=1.0, hold=0.3))
    assert exc.value.field == "motion"
    assert "1.00 s, outside 3.0–60.0 s" in str(exc.value)


def test_without_pyav_motion_is_an_install_hint(proj: Path) -> None:
    design = proj / "designs" / "palestine" / "share-palestine.yaml"
    original = design.read_text()
    design.write_text(original + "\nmotion: {platforms: [x-video], duration: 1}\n")
    try:
        code = ("import sys; sys.modules['av'] = None\n"
                "from shareables.cli import main\n"
                f"main(['build', '--project', {str(proj)!r}, '--jobs', '1'])")
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    finally:
        design.write_text(original)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "designs/palestine/share-palestine.yaml" in out and "PyAV" in out
    assert "pip install 'shareables[motion]'" in out
    assert "Traceback" not in out
    # validate says so too, at the design's motion: line
    code = code.replace("'build'", "'validate'").replace(", '--jobs', '1'", "")
    design.write_text(original + "\nmotion: {platforms: [x-video], duration: 1}\n")
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    finally:
        design.write_text(original)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1 and "Traceback" not in out, out
    assert "share-palestine.yaml:" in out and "motion: clips (`motion:`) need PyAV" in out


def test_highlight_sweeps_to_the_accent_after_the_text_appears(variants: dict,
                                                               res: Resources) -> None:
    v = variants["darwish-on-this-earth/en"]
    clip = render_clip(v, "x-video", res, motion=dataclasses.replace(SHORT, reveal="highlight"))
    frames = assert_ends_on_still(clip.data, clip.still)
    sheet("quote-en-highlight", frames)
    slide = render_slides(v, clip_platform("x-video"), res, layers=True)[0]
    (unit, _rtl), *_ = U.accent_units(slide.items, 0)
    assert unit.text.startswith("Palestine")
    accent = slide.items[0].accent_fill

    def accent_pixels(img: Image.Image) -> int:
        from shareables.render.paint import rgb

        r0, g0, b0 = rgb(accent)
        data = img.convert("RGB").crop(unit.boxes[0]).tobytes()
        px = zip(data[0::3], data[1::3], data[2::3], strict=True)
        return sum(1 for r, g, b in px if abs(r - r0) + abs(g - g0) + abs(b - b0) < 60)

    counts = [accent_pixels(f) for f in frames]
    shown = [i for i, f in enumerate(frames) if changed(f.crop(unit.boxes[0]),
                                                        slide.base.crop(unit.boxes[0])) > 50]
    # The word is on screen in the text colour before it turns to the accent colour.
    assert shown and counts[shown[0]] < counts[-1] // 4
    assert counts[-1] > 200


def test_end_card_ends_on_the_closing_tag_card(variants: dict, res: Resources) -> None:
    v = variants["darwish-on-this-earth/en"]
    clip = render_clip(v, "x-video", res,
                       motion=Motion(duration=2.0, hold=0.5, end_card=True))
    tag = dataclasses.replace(v, kind="tag", text=None, title=None, highlight=(),
                              attribution=None, date=None, slides=None)
    end = render_slides(tag, clip_platform("x-video"), res)[0].image
    frames = assert_ends_on_still(clip.data, end)
    sheet("quote-en-endcard", frames, every=6)
    assert clip.poster is not end and difference(frames[59], clip.poster)[0] < 3
