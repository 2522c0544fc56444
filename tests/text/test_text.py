"""Typography: smart quotes, markup, bidi, balanced breaking, fitting and drawing (real fonts)."""

from __future__ import annotations

import hashlib
import statistics
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from shareables.errors import RenderError
from shareables.render.textpaint import draw
from shareables.text import (
    Span,
    TextBlock,
    TextDoesNotFit,
    TextStyle,
    bidi_levels,
    fit,
    layout,
    parse_markup,
    smart_typography,
)
from shareables.text import setting as S
from shareables.text.fit import overhang_allowance, try_size
from shareables.text.fonts import FontStack, font_stack
from shareables.text.linebreak import greedy, penalty

FONTS = Path(__file__).resolve().parents[2] / "fonts"
BG, FG, ACCENT = (15, 61, 46), (255, 255, 255), (228, 49, 43)
JAMILA = (
    "MADRE and its supporters saved my life and the lives of my children…Thank God for the "
    "connection to the sisterhood and the feminist activists, when Kabul fell to the Taliban. "
    "Because of their solidarity, I finally received help"
)
DARWISH_AR = "كانت تسمى فلسطين. صارت تسمى فلسطين. @madrespeaks"
HARAKAT = "عَلَى هَذِهِ الأَرْضِ مَا يَسْتَحِقُّ الحَيَاةْ"


@pytest.fixture(scope="module")
def body() -> FontStack:
    return font_stack([FONTS / n for n in (
        "NotoSans-Regular.ttf", "NotoNaskhArabic-Regular.ttf", "NotoSansHebrew-Regular.ttf",
        "NotoColorEmoji.ttf",
    )])


@pytest.fixture(scope="module")
def heading() -> FontStack:
    return font_stack([FONTS / n for n in (
        "NotoSerif-Bold.ttf", "NotoNaskhArabic-Bold.ttf", "NotoSansHebrew-Bold.ttf",
        "NotoColorEmoji.ttf",
    )])


def style(stack: FontStack, lang: str = "en", **kw: object) -> TextStyle:
    return TextStyle(stack, **{"max_size": 120, "min_size": 30, "lang": lang, **kw})  # type: ignore[arg-type]


def render(block: TextBlock, size: tuple[int, int], at: tuple[int, int] = (0, 0)
           ) -> tuple[Image.Image, tuple[int, int, int, int]]:
    im = Image.new("RGB", size, BG)
    ink = draw(im, block, at[0], at[1], FG, ACCENT)
    return im, ink


def drawn_bbox(im: Image.Image) -> tuple[int, int, int, int] | None:
    return ImageChops.difference(im, Image.new("RGB", im.size, BG)).getbbox()


# --- smart typography ----------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "source", "expected"), [
    ("en", 'She said "it\'s over" -- or is it...', "She said “it’s over”\u00a0– or is it…"),
    ("en", "'90s women's rights - 'yes'", "’90s women’s rights\u00a0– ‘yes’"),
    ("en", "a---b, crimes–whether", "a—b, crimes–whether"),  # unspaced en dash kept as is
    ("fr", 'Il a dit "non"', "Il a dit «\u202fnon\u202f»"),
    ("de", 'Sie sagte "nein"', "Sie sagte „nein“"),
    ("ar", 'قال "كانت تسمى فلسطين" ، أليس كذلك؟', "قال «كانت تسمى فلسطين» ، أليس كذلك؟"),
    ("fa", '"ما ایستاده‌ایم"', "«ما ایستاده‌ایم»"),
    ("ps", '"سوله"', "«سوله»"),
    ("he", 'הוא אמר "שלום" לצה"ל', "הוא אמר „שלום” לצה״ל"),
])
def test_smart_typography_per_language(lang: str, source: str, expected: str) -> None:
    assert smart_typography(source, lang) == expected


def test_smart_quotes_look_through_markup() -> None:
    source = '**"Stop"** now, it**\'s** over'
    assert smart_typography(source, "en") == "**“Stop”** now, it**’s** over"


def test_smart_typography_leaves_urls_and_handles_alone() -> None:
    s = "See https://madre.org/a--b...c and \"@madrespeaks\""
    assert smart_typography(s, "en") == "See https://madre.org/a--b...c and “@madrespeaks”"


# --- markup --------------------------------------------------------------------------------


def test_inline_markup_and_highlight_become_accent_spans() -> None:
    spans = parse_markup("We **demand** a Permanent  Ceasefire now", ["permanent ceasefire"])
    assert spans == [Span("We "), Span("demand", True), Span(" a "),
                     Span("Permanent  Ceasefire", True), Span(" now")]


def test_highlight_matches_across_curly_quotes_and_unpaired_markers_stay() -> None:
    text = smart_typography("my children's lives", "en")
    assert parse_markup(text, ["children's"])[1] == Span("children’s", True)
    assert parse_markup("2 ** 3 = 8", []) == [Span("2 ** 3 = 8")]


# --- bidi ----------------------------------------------------------------------------------


def test_bidi_levels_keep_the_handle_whole_after_arabic() -> None:
    levels = bidi_levels(DARWISH_AR, rtl=True)
    at = DARWISH_AR.index("@")
    assert set(levels[:at]) == {1}  # Arabic and the ". " before the handle: RTL
    assert set(levels[at:]) == {2}  # "@madrespeaks" one LTR run, "@" included
    assert bidi_levels("abc (def) 123", rtl=False) == [0] * 13
    assert bidi_levels("سنة 2024", rtl=True)[-4:] == [2, 2, 2, 2]


def test_arabic_line_with_trailing_handle_is_ordered_right_to_left(heading: FontStack) -> None:
    block = layout(parse_markup(DARWISH_AR, ["@madrespeaks"]), style(heading, "ar"), 60, 2000)
    (line,) = block.lines
    handle = next(r for r in line.runs if "@madrespeaks" in r.text)
    arabic = next(r for r in line.runs if "فلسطين" in r.text)
    assert handle.x + handle.width <= arabic.x  # the handle sits left of the Arabic: read last
    assert line.x + line.width == pytest.approx(2000, abs=1)  # RTL start: flush right (ink nudge)
    # and on the pixels: accent (handle) ink is entirely left of the white (Arabic) ink
    im, _ = render(block, (2000, 200))
    px = im.load()
    accent_x = [x for x in range(2000) for y in range(0, 200, 2) if px[x, y] == ACCENT]
    white_x = [x for x in range(2000) for y in range(0, 200, 2) if px[x, y] == FG]
    assert max(accent_x) < min(white_x)


def test_hebrew_is_right_to_left_and_right_aligned(body: FontStack) -> None:
    block = fit("אנחנו עומדות יחד למען צדק, שוויון וכבוד.", style(body, "he"), 700, 400)
    assert block.direction == "rtl"
    for line in block.lines:
        assert line.x + line.width == pytest.approx(700, abs=2)  # ink may nudge a line
        assert all(r.rtl for r in line.runs if r.text.strip(" ,."))


# --- line breaking -------------------------------------------------------------------------


def raggedness(widths: list[float]) -> float:
    return statistics.pvariance(widths)


def greedy_widths(stack: FontStack, text: str, size: int, width: int) -> list[float]:
    prep = S.prepare((Span(text),), stack, "en", False)
    p = prep.paras[0]
    return [S._span_advance(prep, p, p.items[a].start, p.items[b - 1].end, size)
            for a, b in greedy(p.items, size, width)]


@pytest.mark.parametrize(("text", "width"), [
    ("It was called Palestine. Its name became Palestine.", 900),
    ("Taliban members have committed torture, murder, sexual violence, and other inhumane acts "
     "against women, girls, men, boys, and/including LGBTQI+ people.", 1000),
    (JAMILA, 900),
])
def test_lines_are_balanced_not_greedy(body: FontStack, text: str, width: int) -> None:
    block = layout(text, style(body), 56, width)
    greedy = greedy_widths(body, text, 56, width)
    balanced = [ln.width for ln in block.lines]
    assert len(balanced) == len(greedy)  # balancing never costs a line
    assert all(w <= width for w in balanced)
    assert raggedness(balanced) < raggedness(greedy)
    assert min(balanced) > 0.6 * max(balanced)  # no long line over a stub


def test_breaks_prefer_phrase_boundaries() -> None:
    assert penalty("", "Palestine.") < penalty("", "Palestine,") < 0  # after a sentence/clause
    assert penalty("Palestine.", "Its") > 0  # not on a dangling sentence start
    assert penalty("on", "October", "7") > 0  # a preference; hard rules: test_breakrules.py


@pytest.mark.parametrize("width", [420, 555, 700, 880, 1300])
def test_no_single_word_last_line_with_four_or_more_words(body: FontStack, width: int) -> None:
    block = layout("Women human rights defenders keep their communities alive.", style(body),
                   44, width)
    assert len(block.lines[-1].text.split()) >= 2


def test_no_paragraph_ends_in_a_single_word_when_the_text_has_four(body: FontStack) -> None:
    block = fit("Ceasefire now.\nStop the bombing of Gaza.", style(body, max_size=120), 500, 900)
    assert block.lines[0].text == "Ceasefire now."  # the first paragraph's only (last) line
    assert len(block.lines[-1].text.split()) >= 2


def test_hard_paragraph_breaks_are_kept(body: FontStack) -> None:
    block = layout("First paragraph.\nSecond one here.", style(body), 40, 2000)
    assert [ln.text for ln in block.lines] == ["First paragraph.", "Second one here."]
    gap = block.lines[1].baseline - block.lines[0].baseline
    assert gap > layout("a b", style(body), 40, 2000).size * 1.25  # paragraph spacing added


def test_a_long_url_still_fits_by_breaking_inside_it(body: FontStack) -> None:
    url = "https://www.madre.org/press-publications/statement/icc-arrest-warrants-netanyahu"
    block = fit(f"Read it at {url}", style(body, max_size=60), 400, 600)
    assert block.size >= 30
    assert "".join(ln.text for ln in block.lines).replace(" ", "") == f"Readitat{url}"
    assert block.ink[0] >= 0 and block.ink[2] <= 400


# --- fitting -------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "text", "box"), [
    ("en", JAMILA, (900, 700)),
    ("ar", HARAKAT + ". " + DARWISH_AR, (900, 700)),
    ("en", "It was called Palestine. Its name became Palestine. ✊🏽🇵🇸", (936, 500)),
    ("fa", "ما برای **حقوق زنان** افغانستان ایستاده‌ایم؛ پ چ ژ گ ک ی", (1000, 400)),
])
def test_fit_finds_the_largest_size_and_ink_stays_in_the_box(
    heading: FontStack, lang: str, text: str, box: tuple[int, int]
) -> None:
    st = style(heading, lang, align="center")
    block = fit(parse_markup(smart_typography(text, lang)), st, *box)
    w, h = box
    left, top, right, bottom = block.ink
    assert 0 <= left and 0 <= top and right <= w and bottom <= h and block.height <= h
    assert st.min_size <= block.size <= st.max_size
    if block.size < st.max_size:  # one pixel larger does not fit (without a widow)
        spans = tuple(parse_markup(smart_typography(text, lang)))
        prep = S.prepare(spans, heading, lang, block.direction == "rtl")
        assert try_size(prep, st, block.size + 1, w, h, allow_widow=False) is None
    # what is drawn lies inside the reported ink box, and the ink box inside the box
    im, ink = render(block, (w + 40, h + 40), (20, 20))
    drawn = drawn_bbox(im)
    assert drawn is not None
    assert ink[0] <= drawn[0] and ink[1] <= drawn[1] and drawn[2] <= ink[2] + 1
    assert drawn[3] <= ink[3] + 1
    assert 20 <= drawn[0] and 20 <= drawn[1] and drawn[2] <= w + 20 and drawn[3] <= h + 20


def test_harakat_sit_on_their_letters_and_count_as_ink(heading: FontStack) -> None:
    bare = layout("على هذه الأرض ما يستحق الحياة", style(heading, "ar"), 80, 2000)
    marked = layout(HARAKAT, style(heading, "ar"), 80, 2000)
    assert marked.ink[3] - marked.ink[1] > bare.ink[3] - bare.ink[1]  # marks above and below
    # one Arabic run, shaped as a whole (joining + mark positioning by HarfBuzz)
    assert [r.font_index for r in marked.lines[0].runs] == [1]


def test_a_highlight_inside_an_arabic_word_keeps_joining_and_marks(heading: FontStack) -> None:
    block = layout(parse_markup("مَدْ**رَسَة**ٌ الشعب **فلسطين**ي"), style(heading, "ar"), 80, 2000)
    runs = block.lines[0].runs
    for run in runs:  # no draw call starts with a lone mark (it would show a dotted circle)
        assert not ("\u064b" <= run.text.lstrip("\u200d")[:1] <= "\u0652")
    accent = [r.text for r in runs if r.accent]
    assert "\u200dرَسَةٌ" in accent and "فلسطين\u200d" in accent  # ZWJ keeps the joined forms


def test_the_floor_is_respected_and_overflow_says_how_much_to_cut(body: FontStack) -> None:
    st = style(body, max_size=60)
    long = " ".join([JAMILA] * 4)
    with pytest.raises(TextDoesNotFit) as err:
        fit(long, st, 800, 400)
    exc = err.value
    assert isinstance(exc, RenderError)
    assert exc.min_size == 30 and 0 < exc.needed_chars_to_cut < len(long)
    assert f"cut about {exc.needed_chars_to_cut} characters" in str(exc)
    kept = long[: len(long) - exc.needed_chars_to_cut]
    if long[len(kept)] != " ":
        kept = kept.rsplit(" ", 1)[0]  # whole words
    assert fit(kept, st, 800, 400).size <= 31  # cutting that much is enough…
    more = long[: len(long) - exc.needed_chars_to_cut + 40]
    with pytest.raises(TextDoesNotFit):  # …and roughly necessary
        fit(more, st, 800, 400)


def test_a_glyph_no_font_has_is_an_error_not_tofu(body: FontStack) -> None:
    with pytest.raises(RenderError, match=r"no font has a glyph for '中' \(U\+4E2D\)"):
        fit("Solidarity 中", style(body), 800, 400)


def test_emoji_are_drawn_in_colour_at_text_size(body: FontStack) -> None:
    block = layout("Solidarity ✊🏽", style(body), 60, 1000)
    im, ink = render(block, (1000, 150))
    hsv = im.convert("HSV")
    colourful = [p for p in hsv.get_flattened_data() if p[1] > 80 and p[2] > 80]
    assert len(colourful) > 300  # a brown fist, not a white glyph
    emoji = block.lines[0].runs[-1]
    assert 50 < emoji.width < 90  # scaled from the 109 px bitmap to ~60 px


def test_rendering_is_deterministic(heading: FontStack) -> None:
    digests = set()
    for _ in range(2):
        block = fit(parse_markup(HARAKAT + " ✊🏽 @madrespeaks", ["الأَرْضِ"]),
                    style(heading, "ar", align="center"), 800, 500)
        im, _ = render(block, (800, 500))
        digests.add(hashlib.sha256(im.tobytes()).hexdigest())
    assert len(digests) == 1


def test_layout_direction_from_first_strong_char_when_language_unknown(body: FontStack) -> None:
    assert layout("שלום עולם", style(body, "und"), 40, 500).direction == "rtl"
    assert layout("Hello", style(body, "und"), 40, 500).direction == "ltr"
    assert layout("שלום", style(body, "en", direction="rtl"), 40, 500).direction == "rtl"


# --- properties ----------------------------------------------------------------------------

WORDS = ["Palestine", "justice", "فلسطين", "العدالة", "שלום", "women", "solidarity,", "aid.",
         "@madrespeaks", "✊🏽", "2024", "and/or", "human-rights", "«حرية»", "…", "I",
         "يَسْتَحِقُّ", "שָׁלוֹם", "Jújuy", "ټولې", "(غزة)"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=40),
    lang=st.sampled_from(["en", "ar", "he"]),
    box=st.tuples(st.integers(300, 1400), st.integers(150, 1000)),
    align=st.sampled_from(["start", "center", "end"]),
)
# the "j" hook nudges the line right by 3 px, so its right ink uses the allowance
@example(words=["justice", "العدالة"], lang="en", box=(300, 150), align="start")
def test_any_fitted_block_stays_in_its_box(
    body: FontStack, words: list[str], lang: str, box: tuple[int, int], align: str
) -> None:
    text = " ".join(words)
    sty = TextStyle(body, max_size=90, min_size=24, lang=lang, align=align)
    try:
        block = fit(text, sty, *box)
    except TextDoesNotFit as exc:
        assert exc.needed_chars_to_cut >= 1
        return
    left, top, right, bottom = block.ink
    slack = overhang_allowance(block.size)  # side ink only; advances stay inside
    assert left >= -slack and top >= 0 and right <= box[0] + slack and bottom <= box[1]
    assert all(ln.width <= box[0] for ln in block.lines)
    assert 24 <= block.size <= 90
    assert "".join(ln.text for ln in block.lines).replace(" ", "") == text.replace(" ", "")
    for ln in block.lines:  # words are only cut after a hyphen or slash, never mid-letter
        for w in ln.text.split():
            assert w in WORDS or w.endswith(("-", "/")) or any(x.endswith(w) for x in WORDS)
