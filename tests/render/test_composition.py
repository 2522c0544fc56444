"""Composition properties over every shipped design and the corpus in tests/render/corpus/,
on every platform (thresholds are documented in docs/rendering.md, "Composition").

The measures (see composition.py): ``fill_w``/``fill_h`` of the main text's ink over the main
box, ``group_h`` of the whole main group, ``empty_below`` the share of the main box left empty
under the group.
"""

from __future__ import annotations

import statistics
from collections import defaultdict

import pytest
from composition import corpus_variants, hero, main_items, measure, render_all, shipped_variants

from shareables.platforms import PLATFORMS
from shareables.project.model import Variant
from shareables.render import compose
from shareables.render.closing import CLOSING
from shareables.render.resources import Resources
from shareables.render.sequence import REFERENCE

SHORT_CHARS = 60  # a "short text": one word, a slogan
SHORT_FILL_W = 0.60  # short texts fill at least 60 % of the main box's width ...
SHORT_FILL_H = 0.55  # ... or 55 % of its height (a few words set one a line, display size)
CONTENT_MEAN_H = 0.45  # carousel content slides: the text's height over the main box, mean
CONTENT_MIN_H = 0.30  # ... and on each slide
EMPTY_BELOW = 0.35  # at most this share of the main box empty under a top-anchored group
CENTRED = 0.05  # a centred group: |above - 0.92 x below| within 5 % of the box (on ink)


@pytest.fixture(scope="module")
def variants() -> list[Variant]:
    return shipped_variants() + corpus_variants()


@pytest.fixture(scope="module")
def rendered(variants) -> dict[tuple[str, str], list[compose.Slide]]:
    errors: list[str] = []
    out = render_all(variants, Resources(), errors)
    # The only expected failures: the corpus's long texts on the shortest landscape boxes.
    assert all(e.split()[0].startswith("corpus/") for e in errors), errors
    return out


def _text_of(v: Variant) -> str:
    return v.text or ""


def test_the_corpus_renders_everywhere_but_where_a_text_is_too_long(rendered, variants):
    missing = [(v.key, pid) for v in variants for pid in PLATFORMS
               if (v.kind == "carousel" or not PLATFORMS[pid].document)
               and (v.key, pid) not in rendered]
    assert len(missing) <= 4, missing


def test_short_texts_are_display_type_filling_the_width(rendered, variants):
    short = {v.key for v in variants if v.kind in ("quote", "statement")
             and len(_text_of(v)) <= SHORT_CHARS}
    photo = {v.key for v in variants if v.background.image is not None}
    assert len(short) >= 6
    for (key, pid), slides in rendered.items():
        if key in short:
            (m,) = measure(key, pid, slides)
            # width, or height for a short text of several words set one word a line
            assert m.fill_w >= SHORT_FILL_W or m.fill_h >= SHORT_FILL_H, (key, pid, m)
            if key not in photo:  # a photo card's text keeps to the calm part of the crop
                assert m.size >= 2 * PLATFORMS[pid].min_body_px, (key, pid, m.size)


def test_carousel_content_slides_fill_their_box(rendered, variants):
    """Split text fills the height; short explicit slides are display type bound by their
    longest word, so they are held to the width instead (the widest slide fills 60 %)."""
    explicit = {v.key for v in variants if v.slides}
    for (key, pid), slides in rendered.items():
        rows = [m for m in measure(key, pid, slides) if m.role == "content"]
        if not rows:
            continue
        if key in explicit:
            assert max(m.fill_w for m in rows) >= SHORT_FILL_W, (key, pid, rows)
            continue
        assert statistics.mean(m.fill_h for m in rows) >= CONTENT_MEAN_H, (key, pid, rows)
        for m in rows:
            assert m.fill_h >= CONTENT_MIN_H, (key, pid, m)


def test_no_slide_leaves_its_box_empty_under_the_text(rendered):
    for (key, pid), slides in rendered.items():
        for s, m in zip(slides, measure(key, pid, slides), strict=True):
            main = s.layout.boxes["main"]
            inks = [it.ink for it in main_items(s)] + [b.ltrb for k, b in s.marks
                                                       if k in ("rule", "quote")]
            above = min(t for _, t, _, _ in inks) - main.y
            below = main.bottom - max(b for _, _, _, b in inks)
            centred = abs(above - 0.92 * below) <= CENTRED * main.h
            assert m.empty_below <= EMPTY_BELOW or centred, (key, pid, m)


def test_one_design_keeps_one_face_and_weight_on_every_platform(rendered):
    faces: dict[str, set[tuple[str, bool]]] = defaultdict(set)
    for (key, _pid), slides in rendered.items():
        for s in slides:
            h = hero(s)
            if h is not None and s.role in ("single", "content"):
                faces[key].add((s.role, h.bold))
    for key, f in faces.items():
        assert len(f) == 1, (key, f)


def test_counter_and_swipe_cue(rendered):
    for (key, pid), slides in rendered.items():
        if len(slides) < 2:
            continue
        total = len(slides)
        for n, s in enumerate(slides, 1):
            counters = [it for it in s.items if it.role == "counter"]
            cues = [b for k, b in s.marks if k == "cue"]
            assert len(counters) == (0 if s.role == "cover" else 1), (key, pid, n)
            assert len(cues) == (1 if n < total else 0), (key, pid, n, "cue")
        assert slides[-1].role in ("closing", "content")


def test_every_element_of_every_slide_is_inside_the_safe_area(rendered):
    for (key, pid), slides in rendered.items():
        left, top, right, bottom = PLATFORMS[pid].safe_box()
        for n, s in enumerate(slides, 1):
            for it in s.items:
                l2, t2, r2, b2 = it.ink
                assert left <= l2 and top <= t2 and r2 <= right and b2 <= bottom, (
                    key, pid, n, it.role, it.ink)
            for kind, b in s.marks:
                assert left <= b.x and top <= b.y and b.right <= right and b.bottom <= bottom, (
                    key, pid, n, kind, b)


def test_one_split_on_every_platform_that_allows_its_count(rendered, variants):
    auto = [v for v in variants if v.kind == "carousel" and not v.slides]
    assert auto
    for v in auto:
        ref = [s for s in rendered[(v.key, REFERENCE)] if s.role == "content"]
        for pid, p in PLATFORMS.items():
            slides = rendered[(v.key, pid)]
            if len(slides) == 1:
                continue  # a link preview shows the cover only
            content = [s for s in slides if s.role == "content"]
            noted = any("content slides instead of" in n for n in slides[0].notes)
            assert noted == (len(content) != len(ref)), (v.key, pid, len(content), len(ref))
            limit = p.max_pages if p.document else p.carousel_limit
            if limit is None or limit >= len(rendered[(v.key, REFERENCE)]):
                # the same split: the same text size ratio slide to slide
                assert len(content) == len(ref) or noted, (v.key, pid)


def test_short_explicit_slides_are_set_large(rendered):
    for (key, pid), slides in rendered.items():
        if "explicit-short-slides" in key and len(slides) > 1:
            sizes = {hero(s).size for s in slides if s.role == "content"}  # type: ignore[union-attr]
            assert len(sizes) == 1
            assert sizes.pop() >= 2.5 * PLATFORMS[pid].min_body_px, (key, pid)


def test_closing_slide_prompt_and_handle_in_every_shipped_language(rendered, variants):
    seen = set()
    for (key, pid), slides in rendered.items():
        if slides[-1].role != "closing":
            continue
        roles = [it.role for it in slides[-1].items]
        assert "handle" in roles, (key, pid)
        lang = key.rsplit("/", 1)[1]
        if lang in CLOSING:
            seen.add(lang)
            prompt = next(it for it in slides[-1].items if it.role == "prompt")
            handle = next(it for it in slides[-1].items if it.role == "handle")
            # one group: the handle right under the prompt, and the larger of the two
            assert 0 < handle.ink[1] - prompt.ink[3] < handle.size, (key, pid)
            assert handle.size >= prompt.size
    assert {"en", "ar", "he", "fa"} <= seen
    assert {"en", "ar", "fa", "ps", "ur", "he", "es", "fr"} <= set(CLOSING)


def test_photo_text_sits_away_from_the_focus(rendered):
    for side, key in (("right", "corpus/photo-focus-left/en"),
                      ("left", "corpus/photo-focus-right/en")):
        for pid in ("x", "og", "linkedin"):
            s = rendered[(key, pid)][0]
            h = hero(s)
            assert h is not None
            mid = (h.ink[0] + h.ink[2]) / 2
            w = PLATFORMS[pid].width
            assert (mid > w / 2) if side == "right" else (mid < w / 2), (key, pid, h.ink)
        s = rendered[(key, "instagram-portrait")][0]
        h = hero(s)
        assert h is not None and h.ink[1] > PLATFORMS["instagram-portrait"].height * 0.4


def test_photo_credit_keeps_one_corner_in_both_directions(rendered):
    for pid in ("instagram-square", "x", "instagram-story"):
        p = PLATFORMS[pid]
        left, top, right, _ = p.safe_box()
        for lang, corner in (("en", "right"), ("fa", "left")):
            s = rendered[(f"corpus/photo-focus-left/{lang}", pid)][0]
            credit = next(it for it in s.items if it.role == "credit")
            if corner == "right":
                assert right - credit.ink[2] < 0.1 * p.width, (lang, pid, credit.ink)
            else:
                assert credit.ink[0] - left < 0.1 * p.width, (lang, pid, credit.ink)
            assert credit.ink[1] - top < 0.1 * p.height


def test_a_title_gives_way_before_the_body_fails(rendered):
    """The dense statement fails at the floor on landscape unless the title shrinks."""
    for pid in ("instagram-square", "x"):
        s = rendered[("corpus/dense-statement/en", pid)][0]
        title = next(it for it in s.items if it.role == "title")
        text = next(it for it in s.items if it.role == "text")
        assert title.size >= text.size * 1.15, (pid, title.size, text.size)


def _load(project, body: str) -> tuple[list, list]:
    from shareables.project.design import load_designs
    from shareables.project.settings import load_settings

    f = project / "designs" / "corpus" / "d.yaml"
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(body, encoding="utf-8")
    return load_designs(project, load_settings(project), [f])


def test_closing_field_sets_the_last_slide_per_language(project):
    designs, errors = _load(project, (
        "campaign: corpus\nkind: carousel\ntitle: T\nslides: [One., Two.]\n"
        "closing: Share this with a friend\n"
        "translations:\n  ar: {slides: [واحد., اثنان.]}\n"
        "  fr: {slides: [Un., Deux.], closing: Partagez autour de vous}\n"))
    assert not errors
    by_lang = {v.lang: v for v in designs[0].variants}
    assert by_lang["en"].closing == "Share this with a friend"
    assert by_lang["fr"].closing == "Partagez autour de vous"
    assert by_lang["ar"].closing is None  # not inherited: the Arabic default, never English
    res = Resources()
    p = PLATFORMS["instagram-portrait"]
    own = compose.render_slides(by_lang["en"], p, res)[-1]
    from dataclasses import replace
    default = compose.render_slides(replace(by_lang["en"], closing=None), p, res)[-1]
    size = {s: next(it for it in sl.items if it.role == "prompt").ink
            for s, sl in (("own", own), ("default", default))}
    assert size["own"] != size["default"]


def test_closing_on_a_single_card_is_an_error_naming_the_field(project):
    _, errors = _load(project, "campaign: corpus\nkind: tag\nclosing: Share\n")
    assert errors and errors[0].field == "closing" and "only for carousels" in str(errors[0])
