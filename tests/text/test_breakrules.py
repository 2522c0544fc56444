"""The line breaker's hard rules, each in the scripts it concerns (docs/typography.md).

Every case is set at one size across a sweep of box widths; at every width where the bound
text alone fits on a line, no line may break inside it. Real fonts, real layout.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shareables.text import TextBlock, TextStyle, layout, parse_markup
from shareables.text.breakrules import GROUP, WORD, pieces_for, url_spans
from shareables.text.fonts import font_stack

FONTS = Path(__file__).resolve().parents[2] / "fonts"
SIZE = 40
RTL = {"ar", "fa", "he", "ur", "ps"}


def _style(lang: str) -> TextStyle:
    stack = font_stack([FONTS / f for f in ("NotoSans-Regular.ttf",
                                           "NotoNaskhArabic-Regular.ttf",
                                           "NotoSansHebrew-Regular.ttf")])
    return TextStyle(stack, SIZE, SIZE, lang=lang, direction="rtl" if lang in RTL else "ltr")


def _set(text: str, lang: str, width: int, highlight: tuple[str, ...] = ()) -> TextBlock:
    return layout(parse_markup(text, highlight), _style(lang), SIZE, width)


def _width(text: str, lang: str) -> float:
    return _set(text, lang, 100_000).lines[0].width


def _line_ranges(block: TextBlock, text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in block.lines:
        a = text.index(line.text, pos)
        out.append((a, a + len(line.text)))
        pos = a + len(line.text)
    return out


def _assert_whole(text: str, lang: str, bound: str, highlight: tuple[str, ...] = ()) -> int:
    """At every width from 3 to 12 em where `bound` fits, it sits on one line. Returns how
    many widths actually broke the paragraph (so the sweep is not vacuous)."""
    plain = "".join(s.text for s in parse_markup(text, highlight))
    a = plain.index(bound)
    b = a + len(bound)
    while a > 0 and not plain[a - 1].isspace():  # a highlight may start inside a word
        a -= 1
    while b < len(plain) and not plain[b].isspace():
        b += 1
    need = _width(plain[a:b], lang)
    broke = 0
    for width in range(3 * SIZE, 12 * SIZE, SIZE // 4):
        block = _set(text, lang, width, highlight)
        if len(block.lines) > 1:
            broke += 1
        if need > width:
            continue
        ranges = _line_ranges(block, plain)
        assert any(s <= a and b <= e for s, e in ranges), (
            f"{bound!r} split at width {width}: {[ln.text for ln in block.lines]}")
    assert broke >= 5
    return broke


# --- rule 1: a highlight or **inline** phrase never splits unless alone wider than the line


@pytest.mark.parametrize(("lang", "text", "phrase"), [
    ("en", "Israel receives **$10 million per day** in military aid from the United States.",
     "$10 million per day"),
    ("en", "Together we build movements that deliver meaningful justice. Every single day.",
     "meaningful justice."),
    ("en", "MADRE and its supporters saved my life and the lives of my children.",
     "saved my life"),
    ("ar", "نحن نطالب بعدالة حقيقية لكل النساء في غزة والضفة الغربية اليوم.", "عدالة حقيقية"),
    ("fa", "ما در کنار آنان ایستاده‌ایم و صدای زنان افغانستان را به گوش جهان می‌رسانیم.",
     "در کنار آنان ایستاده‌ایم"),
    ("he", "אנחנו דורשים **הפסקת אש מיידית** ושחרור כל בני הערובה עכשיו.", "הפסקת אש מיידית"),
])
def test_phrase_stays_whole(lang: str, text: str, phrase: str) -> None:
    highlight = () if "**" in text else (phrase,)
    _assert_whole(text, lang, phrase, highlight)


def test_phrase_wider_than_the_line_may_break() -> None:
    text = "**Ceasefire now and an end to the siege of Gaza**"
    block = _set(text, "en", 5 * SIZE)
    assert len(block.lines) > 1  # no overflow: the phrase opens when it cannot fit


# --- rule 2: a number stays with the word after it ("No." with its number)


@pytest.mark.parametrize(("lang", "text", "pair"), [
    ("en", "The resolution No. 5 was passed by a large majority of the member states.", "No. 5"),
    ("en", "Israel receives $10 million in military aid every single day from the US.",
     "$10 million"),
    ("en", "Gaza is a strip of just 365 square kilometres, home to two million people.",
     "365 square"),
    ("ar", "يعيش أهل غزة تحت القصف منذ 7 أكتوبر دون ماء أو كهرباء أو دواء.", "7 أكتوبر"),
    ("ar", "قتل أكثر من 40,000 فلسطيني في غزة خلال أشهر قليلة من الحرب.", "40,000 فلسطيني"),
    ("he", "הדיווחים מדברים על 3 הרוגים ועשרות פצועים בהפצצה של הלילה.", "3 הרוגים"),
    ("fa", "بیش از ۱۰۰ زن فعال در کابل بازداشت شده‌اند و خانواده‌هایشان بی‌خبرند.", "۱۰۰ زن"),
])
def test_number_stays_with_its_word(lang: str, text: str, pair: str) -> None:
    _assert_whole(text, lang, pair)


@pytest.mark.parametrize(("lang", "text", "pair"), [
    ("en", "Today we honour Dr. سلوى الكردي and the women of Gaza who keep families alive.",
     "Dr. سلوى"),
    ("en", "The keynote was given by Prof. Yifat Susskind of MADRE at the conference.",
     "Prof. Yifat"),
    ("ar", "ألقت د. سلوى الكردي كلمة عن نساء غزة في المؤتمر الدولي أمس.", "د. سلوى"),
])
def test_title_stays_with_its_name(lang: str, text: str, pair: str) -> None:
    _assert_whole(text, lang, pair)


def test_number_ending_a_clause_is_free() -> None:
    pieces = pieces_for("It began in 2023. The war", [False] * 26, "en")
    assert all(p.bind == 0 for p in pieces)


# --- rule 3: Persian ezafe, Pashto and Urdu particles


@pytest.mark.parametrize(("lang", "text", "pair"), [
    ("fa", "ای جان من، ما هرگز صدای خواهرانمان در افغانستان را فراموش نمی‌کنیم.", "جان من"),
    ("fa", "ما در خانهٔ ما برای آزادی زنان افغانستان دعا می‌کنیم و می‌جنگیم.", "خانهٔ ما"),
    ("ps", "موږ د افغانستان د ښځو د حقونو لپاره هره ورځ مبارزه کوو.", "د ښځو"),
    ("ps", "موږ د MADRE ملګرو سره یوځای د سولې لپاره کار کوو.", "د MADRE"),
    ("ur", "ہم افغانستان کی عورتوں کے ساتھ ہر دن اور ہر لمحہ کھڑے ہیں۔", "کھڑے ہیں۔"),
    ("ur", "ہم MADRE کے ساتھ مل کر امن اور انصاف کے لیے کام کرتے ہیں۔", "MADRE کے"),
])
def test_particles_bind(lang: str, text: str, pair: str) -> None:
    _assert_whole(text, lang, pair)


def test_particle_rules_are_per_language() -> None:
    text = "د MADRE"
    assert pieces_for(text, [False] * len(text), "ps")[0].bind == WORD
    assert pieces_for(text, [False] * len(text), "ar")[0].bind == 0


# --- rule 4: URLs break only at / . ? & — never after a slug's hyphen


def test_url_breaks_only_at_its_punctuation() -> None:
    text = ("Read more and donate at "
            "madre.org/press-releases/gaza-women-need-support?lang=en&x=1 now")
    url = "madre.org/press-releases/gaza-women-need-support?lang=en&x=1"
    a = text.index(url)
    b = a + len(url)
    assert url_spans(text) == [(a, b)]
    allowed = {a + i for i, ch in enumerate(url) if i and (url[i - 1] == "/" or ch in ".?&")}
    cut_somewhere = 0
    # below the widest piece's width even that piece must be cut between letters
    widest = max(_width(url[s:e], "en") for s, e in zip(
        [0, *sorted(i - a for i in allowed)], [*sorted(i - a for i in allowed), len(url)],
        strict=True))
    for width in range(int(widest) + 1, 16 * SIZE, SIZE // 2):
        block = _set(text, "en", width)
        for _s, e in _line_ranges(block, text)[:-1]:
            if a < e < b:
                cut_somewhere += 1
                assert e in allowed, f"URL cut after {text[e - 1]!r} at width {width}"
                assert text[e - 1] != "-"
    assert cut_somewhere > 0


def test_url_that_fits_stays_whole() -> None:
    text = "زوروا madre.org/gaza-now اليوم وشاركوا الرسالة مع أصدقائكم."
    _assert_whole(text, "ar", "madre.org/gaza-now")


def test_url_pieces_are_grouped() -> None:
    text = "see madre.org/gaza-now"
    pieces = pieces_for(text, [False] * len(text), "en")
    assert [text[p.start:p.end] for p in pieces] == ["see", "madre", ".org/", "gaza-now"]
    assert [p.bind for p in pieces[1:-1]] == [GROUP, GROUP]
