"""Layout geometry: pure functions, tested without Pillow."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shareables.platforms import PLATFORMS
from shareables.render import geometry as L

CASES = [
    (kind, role)
    for kind in L.KINDS
    for role in ((None,) if kind != "carousel" else L.SLIDE_ROLES)
]


def test_layout_module_does_not_import_pillow():
    code = "import shareables.render.geometry, sys; print('PIL' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((1080, 1080), "square"),
        ((1080, 1350), "portrait"),
        ((1000, 1500), "tall"),
        ((1080, 1920), "story"),
        ((1600, 900), "landscape"),
        ((1200, 627), "landscape"),
        ((1200, 630), "landscape"),
    ],
)
def test_aspect_classes_of_the_platform_sizes(size, expected):
    assert L.aspect_class(*size) == expected


@pytest.mark.parametrize("pid", sorted(PLATFORMS))
@pytest.mark.parametrize(("kind", "role"), CASES)
@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_every_box_lies_inside_the_safe_area(pid, kind, role, direction):
    p = PLATFORMS[pid]
    lay = L.layout_for(kind, p, direction=direction, slide_role=role)
    safe = L.Box.from_ltrb(*p.safe_box())
    assert lay.safe == safe
    margin = p.margin
    assert safe.x >= margin and safe.y >= margin
    assert safe.right <= p.width - margin and safe.bottom <= p.height - margin
    for name, box in lay.boxes.items():
        assert box.w > 0 and box.h > 0, name
        assert safe.contains(box), (name, box, safe)
    # The text box is wide enough for a readable measure and the main text is never below
    # the legibility floor.
    assert lay.boxes["text"].w >= 0.5 * lay.frame.w
    assert lay.sizes["text_max"] >= p.min_body_px
    for key in ("handle", "name", "role", "date", "counter"):
        assert lay.sizes[key] >= p.min_body_px, key


@pytest.mark.parametrize("pid", sorted(PLATFORMS))
@pytest.mark.parametrize(("kind", "role"), CASES)
def test_rtl_is_the_mirror_image_of_ltr(pid, kind, role):
    p = PLATFORMS[pid]
    ltr = L.layout_for(kind, p, slide_role=role)
    rtl = L.layout_for(kind, p, direction="rtl", slide_role=role)
    assert set(ltr.boxes) == set(rtl.boxes)
    for name, box in ltr.boxes.items():
        assert rtl.boxes[name] == box.mirrored(p.width), name
        assert rtl.boxes[name].mirrored(p.width) == box
    assert rtl.rtl and not ltr.rtl


def test_story_keeps_text_out_of_the_ui_zones():
    p = PLATFORMS["instagram-story"]
    for kind, role in CASES:
        lay = L.layout_for(kind, p, slide_role=role)
        for name, box in lay.boxes.items():
            assert box.y >= 270 and box.bottom <= 1920 - 384, (kind, role, name)


def test_layouts_adapt_to_the_aspect_rather_than_scale():
    square = L.layout_for("quote", PLATFORMS["instagram-square"])
    wide = L.layout_for("quote", PLATFORMS["x"])
    story = L.layout_for("quote", PLATFORMS["instagram-story"])
    assert square.mark_mode == "above" and story.mark_mode == "above"
    # On wide canvases the mark hangs in a gutter beside the text column.
    assert wide.mark_mode == "hanging"
    assert wide.boxes["text"].x > wide.boxes["mark"].right
    assert wide.boxes["text"].y == wide.boxes["main"].y
    # Stories use the tall middle band; the footer sits on the bottom edge of the safe area.
    assert story.boxes["footer"].bottom == story.safe.bottom


def test_handle_and_logo_sit_on_one_row_at_opposite_ends():
    for pid in sorted(PLATFORMS):
        lay = L.layout_for("quote", PLATFORMS[pid])
        h, g, f = lay.boxes["handle"], lay.boxes["logo"], lay.boxes["footer"]
        assert h.x == f.x and g.right == f.right
        assert h.right <= g.x  # they never overlap
        assert abs((h.y + h.h / 2) - (g.y + g.h / 2)) <= 1


def test_carousel_chrome_positions():
    p = PLATFORMS["instagram-portrait"]
    content = L.layout_for("carousel", p, slide_role="content")
    cover = L.layout_for("carousel", p, slide_role="cover")
    closing = L.layout_for("carousel", p, slide_role="closing")
    # Counter at the top end, swipe cue at the bottom end.
    assert content.boxes["counter"].right == content.frame.right
    assert content.boxes["cue"].right == content.frame.right
    assert content.boxes["cue"].bottom == content.frame.bottom
    assert "counter" not in cover.boxes and "cue" in cover.boxes
    assert "cue" not in closing.boxes
    # Content slides sit at the optical centre of their box (common size, even fill).
    assert content.valign == "center"
    rtl = L.layout_for("carousel", p, direction="rtl", slide_role="content")
    assert rtl.boxes["counter"].x == rtl.frame.x
    assert rtl.boxes["cue"].x == rtl.frame.x


def test_unknown_kind_and_role_are_refused():
    with pytest.raises(ValueError):
        L.layout_for("poster", PLATFORMS["x"])
    with pytest.raises(ValueError):
        L.layout_for("carousel", PLATFORMS["x"], slide_role="middle")


def test_stack_centres_with_an_optical_lift_and_tops():
    ys = L.stack(0, 1000, [100, 200], [50], "top")
    assert ys == [0, 150]
    ys = L.stack(0, 1000, [100, 200], [50], "center")
    free = 1000 - 350
    assert ys[0] == round(free / 2 - free * 0.04)
    assert ys[1] == ys[0] + 150
    # A group taller than the region starts at the top instead of going above it.
    assert L.stack(10, 100, [200], [], "center") == [10]
    with pytest.raises(ValueError):
        L.stack(0, 10, [1, 2], [], "top")


@pytest.mark.parametrize("focus", [(0.5, 0.5), (0.0, 0.0), (1.0, 1.0), (0.2, 0.9)])
@pytest.mark.parametrize("dst", [(1080, 1080), (1080, 1920), (1600, 900), (1000, 1500)])
@pytest.mark.parametrize("src", [(4000, 3000), (3000, 4000), (1200, 1200), (640, 480)])
def test_photo_crop_has_the_target_aspect_stays_inside_and_follows_focus(src, dst, focus):
    left, top, right, bottom = L.crop_box(*src, *dst, focus)
    assert 0 <= left < right <= src[0] and 0 <= top < bottom <= src[1]
    assert abs((right - left) / (bottom - top) - dst[0] / dst[1]) < 0.01
    # The crop is as large as it can be: it spans one full dimension of the source.
    assert right - left == src[0] or bottom - top == src[1]
    # The focus point is inside the crop (it can only be off-centre when clamped at an edge).
    fx, fy = focus[0] * src[0], focus[1] * src[1]
    assert left <= fx <= right and top <= fy <= bottom


def test_box_helpers():
    b = L.Box(10, 20, 30, 40)
    assert b.ltrb == (10, 20, 40, 60)
    assert L.Box.from_ltrb(*b.ltrb) == b
    assert b.contains((10, 20, 40, 60)) and not b.contains((9, 20, 40, 60))
    assert b.mirrored(100) == L.Box(60, 20, 30, 40)
    assert L.fit_contain(200, 100, 50, 50) == (50, 25)
    assert L.align_x(b, 10, "center", "ltr") == 20
    assert L.align_x(b, 10, "start", "rtl") == 30
    assert L.align_x(b, 10, "start", "ltr") == 10


def test_a_photo_credit_pushes_the_main_group_below_its_row():
    for pid in ("instagram-square", "x", "og", "instagram-story"):
        p = PLATFORMS[pid]
        for kind in ("quote", "statement", "tag"):
            plain = L.layout_for(kind, p)
            lay = L.layout_for(kind, p, credit=True)
            assert lay.boxes["main"].y > lay.boxes["credit"].bottom
            assert lay.boxes["main"].bottom == plain.boxes["main"].bottom
            assert lay.safe.contains(lay.boxes["main"])
