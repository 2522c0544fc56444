"""FontStack: per-glyph fallback over the vendored fonts, missing glyphs, font loading."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import ImageFont

from shareables.text.fonts import FontStack, clusters, font_stack

FONTS = Path(__file__).resolve().parents[2] / "fonts"
SANS, NASKH, HEBREW, EMOJI = 0, 1, 2, 3


@pytest.fixture(scope="module")
def body() -> FontStack:
    return font_stack([FONTS / n for n in (
        "NotoSans-Regular.ttf", "NotoNaskhArabic-Regular.ttf", "NotoSansHebrew-Regular.ttf",
        "NotoColorEmoji.ttf",
    )])


def test_vendored_fonts_have_licences_and_readme() -> None:
    names = {p.name for p in FONTS.iterdir()}
    for f in ("NotoSans-Regular.ttf", "NotoNaskhArabic-Bold.ttf", "NotoSansHebrew-Bold.ttf",
              "NotoColorEmoji.ttf", "Inter-Regular.otf", "README.md"):
        assert f in names
    readme = (FONTS / "README.md").read_text()
    assert "fonts-noto-core" in readme and "OFL" in readme
    assert any(n.startswith("LICENSE") for n in names)


def test_mixed_scripts_fall_back_glyph_by_glyph(body: FontStack) -> None:
    text = "Hello فلسطين שלום ✊🏽!"
    runs = body.runs(text)
    assert "".join(t for t, _ in runs) == text  # nothing lost or reordered
    assert runs == [
        ("Hello ", SANS), ("فلسطين ", NASKH), ("שלום ", HEBREW), ("✊🏽", EMOJI), ("!", SANS),
    ]


def test_marks_joiners_and_emoji_sequences_stay_with_their_base(body: FontStack) -> None:
    # harakat, ZWNJ (Persian), a ZWJ family, a flag and a keycap never split from their base
    runs = body.runs("عَلَى ایستاده\u200cایم 👩\u200d👩\u200d👧🇵🇸")
    assert runs[0] == ("عَلَى ایستاده\u200cایم ", NASKH)
    assert runs[1] == ("👩\u200d👩\u200d👧🇵🇸", EMOJI)
    assert clusters("👩\u200d👩\u200d👧🇵🇸1\ufe0f\u20e3") == [
        "👩\u200d👩\u200d👧", "🇵🇸", "1\ufe0f\u20e3"
    ]


def test_punctuation_and_digits_stay_with_the_arabic_run(body: FontStack) -> None:
    # "." and digits exist in Noto Sans too, but a font switch mid-sentence would change their
    # look and break shaping context; the trailing Latin handle does switch.
    assert body.runs("كانت تسمى فلسطين 2024. @madrespeaks") == [
        ("كانت تسمى فلسطين 2024. ", NASKH), ("@madrespeaks", SANS)
    ]


def test_persian_pashto_urdu_letters_are_covered(body: FontStack) -> None:
    assert body.missing("پ چ ژ گ ک ی ټ ړ څ ځ ښ ڼ ۍ ې ے ں ھ ۀ ، ؟ ؛ ۱۲۳") == []
    assert {i for _, i in body.runs("پ چ ژ گ ک ی ټ ړ")} == {NASKH}


def test_missing_reports_each_unknown_char_once(body: FontStack) -> None:
    assert body.missing("中文 and 中 ✊ \u200d\n") == ["中", "文"]
    assert body.missing("Palestine فلسطين") == []


def test_fonts_use_raqm_and_are_cached(body: FontStack) -> None:
    f = body.font(SANS, 40)
    assert f is body.font(SANS, 40)
    assert f.layout_engine == ImageFont.Layout.RAQM
    # the colour bitmap font only exists at its strike size; callers scale by `scale`
    assert body.native_size(EMOJI) == 109 and body.font(EMOJI, 40).size == 109
    assert body.scale(EMOJI, 40) == pytest.approx(40 / 109) and body.scale(SANS, 40) == 1.0
    assert body.is_color(EMOJI) and not body.is_color(SANS)
    assert font_stack(body.paths) is body
