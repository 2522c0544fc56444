"""Carousel splitting: paragraph then sentence boundaries, one common size, nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shareables.render.carousel import _atoms, _sentence_ends, split_text
from shareables.text.block import TextDoesNotFit, TextStyle
from shareables.text.fonts import FontStack, font_stack

ROOT = Path(__file__).resolve().parents[2]
FONTS = ROOT / "fonts"
ICC = yaml.safe_load((ROOT / "designs/palestine/icc-arrest-warrants.yaml").read_text())


@pytest.fixture(scope="module")
def body() -> FontStack:
    return font_stack([FONTS / n for n in (
        "NotoSans-Regular.ttf", "NotoNaskhArabic-Regular.ttf", "NotoSansHebrew-Regular.ttf",
        "NotoColorEmoji.ttf",
    )])


def style(stack: FontStack, lang: str = "en", max_size: int = 64) -> TextStyle:
    return TextStyle(stack, max_size=max_size, min_size=30, lang=lang, line_height=1.3)


def sentences(text: str) -> list[str]:
    ends = _sentence_ends(text)
    starts = [0] + [n for _, n in ends]
    stops = [e for e, _ in ends] + [len(text)]
    return [text[a:b] for a, b in zip(starts, stops, strict=True)]


def test_sentences_end_at_terminal_punctuation_not_at_abbreviations() -> None:
    assert sentences("The U.S. Congress met Dr. Smith at 5 p.m. today. It voted. Next?") == [
        "The U.S. Congress met Dr. Smith at 5 p.m. today.", "It voted.", "Next?"
    ]
    assert sentences('He said "stop." Then left… And J. Doe, e.g. her, agreed.') == [
        'He said "stop."', "Then left…", "And J. Doe, e.g. her, agreed."
    ]
    assert sentences("See No. 5 and art. 7 of the statute. They said no. Works of art. Done") == [
        "See No. 5 and art. 7 of the statute.", "They said no.", "Works of art.", "Done"
    ]
    assert sentences("كانت تسمى فلسطين. صارت تسمى فلسطين؟ نعم") == [
        "كانت تسمى فلسطين.", "صارت تسمى فلسطين؟", "نعم"
    ]


def test_atoms_rebuild_the_text_exactly() -> None:
    text = "  First one. Second one.\n\nNew para!\nLine two.  "
    pieces, seps, kinds = _atoms(text)
    assert kinds == ["sentence", "para", "para"]
    rebuilt = pieces[0] + "".join(s + p for s, p in zip(seps, pieces[1:], strict=True))
    assert rebuilt == text


@pytest.mark.parametrize("box", [(936, 900), (1400, 560), (900, 1100)])
def test_icc_statement_splits_at_sentence_boundaries_with_one_size(
    body: FontStack, box: tuple[int, int]
) -> None:
    text = ICC["text"]
    split = split_text(text, style(body), *box, highlight=ICC["highlight"])
    assert split.joined() == text  # nothing lost or duplicated
    assert 2 <= len(split.slides) <= 8  # a sensible carousel, not a wall or a flip-book
    assert {b.size for b in split.blocks} == {split.size}  # one type size on every slide
    assert split.size >= 30
    every = set(sentences(" ".join(text.split())))
    for slide in split.slides:  # every slide is whole sentences
        for sent in sentences(" ".join(slide.split())):
            assert sent in every
    for block in split.blocks:  # and fits its box, ink included
        assert block.ink[2] <= box[0] and block.ink[3] <= box[1] and block.height <= box[1]
    assert all(sep.isspace() for sep in split.separators)


def test_fewest_slides_then_the_largest_common_size(body: FontStack) -> None:
    text = ICC["text"]
    st = style(body)
    split = split_text(text, st, 1400, 560, highlight=ICC["highlight"])
    # one slide fewer would not fit at the same target; one size up needs more slides
    tighter = split_text(text, st, 1400, 560, max_slides=len(split.slides) - 1)
    assert tighter.size < split.size and len(tighter.slides) <= len(split.slides) - 1
    if split.size < st.max_size:
        bigger = TextStyle(**{**st.__dict__, "min_size": split.size + 1,
                              "max_size": split.size + 1})
        assert len(split_text(text, bigger, 1400, 560).slides) > len(split.slides)


def test_paragraph_breaks_are_preferred_to_sentence_breaks(body: FontStack) -> None:
    text = ("One short opening sentence. Another short one. A third one.\n\n"
            "A second paragraph that is a little longer than the first one was.")
    split = split_text(text, style(body, max_size=40), 900, 200, max_lines=3)
    assert split.separators == ["\n\n"]  # 2 + 1 sentences would be more even in length


def test_markup_spanning_a_slide_break_colours_both_halves(body: FontStack) -> None:
    text = ("We stand with you. **Ceasefire now. Stop the bombing. Let aid in.** We will not "
            "stop until every family is safe and every child can sleep.")
    split = split_text(text, style(body, max_size=60), 600, 200, max_lines=3)
    assert split.joined() == text and len(split.slides) == 2
    accents = [{r.text.strip() for ln in b.lines for r in ln.runs if r.accent}
               for b in split.blocks]
    assert "Ceasefire now." in accents[0] and "Let aid in." in accents[1]
    assert not any("*" in ln.text for b in split.blocks for ln in b.lines)


def test_a_sentence_too_long_for_one_slide_is_cut_between_words(body: FontStack) -> None:
    text = " ".join(["solidarity"] * 80) + "."
    split = split_text(text, style(body), 600, 300)
    assert len(split.slides) >= 2 and split.joined() == text
    assert split.size >= 30 and all(s == " " for s in split.separators)


def test_a_word_that_cannot_fit_anywhere_is_an_error(body: FontStack) -> None:
    with pytest.raises(TextDoesNotFit, match="does not fit"):
        split_text("Tiny box.", style(body), 200, 20)


def test_arabic_statement_splits_and_keeps_its_text(body: FontStack) -> None:
    text = "كانت تسمى فلسطين. صارت تسمى فلسطين. " * 6 + "@madrespeaks"
    split = split_text(text.strip(), style(body, "ar"), 900, 400)
    assert split.joined() == text.strip()
    assert all(b.direction == "rtl" for b in split.blocks)
    assert len({b.size for b in split.blocks}) == 1


SENTENCES = ["We stand with Palestine.", "All victims deserve meaningful justice!",
             "Why now?", "The U.S. must act.", "كانت تسمى فلسطين.", "Dr. Afghani spoke.",
             "A long sentence about humanitarian aid, medical care and psychosocial support."]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(SENTENCES), st.sampled_from([" ", "\n\n", "\n"])),
                min_size=1, max_size=14))
def test_any_split_rebuilds_its_text_with_one_size(
    body: FontStack, parts: list[tuple[str, str]]
) -> None:
    text = "".join(s + sep for s, sep in parts).rstrip()
    split = split_text(text, style(body, max_size=60), 900, 500)
    assert split.joined() == text
    assert {b.size for b in split.blocks} == {split.size} and split.size >= 30
