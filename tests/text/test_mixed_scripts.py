"""Mixed scripts: faces at a common size, leading per pair of lines (docs/typography.md)."""

from __future__ import annotations

from pathlib import Path

from shareables.text import TextStyle, layout
from shareables.text.fonts import font_stack
from shareables.text.leading import CLEARANCE

FONTS = Path(__file__).resolve().parents[2] / "fonts"
LATIN_FIRST = [FONTS / f for f in ("NotoSans-Regular.ttf", "NotoNaskhArabic-Regular.ttf",
                                   "NotoSansHebrew-Regular.ttf", "Inter-Regular.otf",
                                   "NotoNastaliqUrdu-Regular.ttf", "NotoColorEmoji.ttf")]


def test_faces_are_scaled_to_a_common_size() -> None:
    stack = font_stack(LATIN_FIRST)
    scales = [round(stack.face_scale(i), 3) for i in range(len(LATIN_FIRST))]
    assert scales == [1.0, 1.15, 1.0, 0.983, 1.0, 1.0]
    naskh_first = font_stack([LATIN_FIRST[1], LATIN_FIRST[0]])
    assert round(naskh_first.face_scale(1), 3) == round(1 / 1.15, 3)  # Latin scaled down
    # the loaded face really is larger: an alef at 100 px is 15 % taller than at scale 1
    from PIL import ImageFont

    plain = ImageFont.truetype(str(LATIN_FIRST[1]), 100).getbbox("ا", anchor="ls")
    ours = stack.ink(1, 100, "ا", True, "ar")
    assert round(-ours[1] / -plain[1], 2) == 1.15


def _baselines(text: str, lang: str, stack_files: list[Path], width: int = 700) -> list[float]:
    style = TextStyle(font_stack(stack_files), 40, 40, lang=lang,
                      direction="rtl" if lang in ("ar", "ur") else "ltr")
    return [ln.baseline for ln in layout(text, style, 40, width).lines]


def test_one_arabic_name_does_not_loosen_the_paragraph() -> None:
    words = ("Today we honour Dr. {} and the women of Gaza who keep their families alive "
             "under siege. Their courage is the measure of our work.")
    latin = _baselines(words.format("Salwa Alkurdi"), "en", LATIN_FIRST)
    mixed = _baselines(words.format("سلوى الكردي"), "en", LATIN_FIRST)
    assert {round(b - a) for a, b in zip(latin, latin[1:], strict=False)} == {50}  # 1.25 em
    gaps = [round(b - a) for a, b in zip(mixed, mixed[1:], strict=False)]
    # only the lines next to the Arabic name may open (where its glyphs need it), and by
    # little; every other line keeps the Latin leading
    assert sum(g != 50 for g in gaps) <= 2 and max(gaps) <= 58, gaps


def test_nastaliq_lines_never_touch() -> None:
    text = "ہم افغانستان کی عورتوں کے ساتھ ہر دن کھڑے ہیں۔ ان کی آواز ہماری آواز ہے۔"
    stack = font_stack([LATIN_FIRST[4], *LATIN_FIRST[:2]])
    style = TextStyle(stack, 40, 40, lang="ur", direction="rtl")
    block = layout(text, style, 40, 500)
    assert len(block.lines) >= 2
    for a, b in zip(block.lines, block.lines[1:], strict=False):
        ink_a = [stack.ink(r.font_index, 40, r.text, r.rtl, "ur") for r in a.runs]
        ink_b = [stack.ink(r.font_index, 40, r.text, r.rtl, "ur") for r in b.runs]
        bottom = a.baseline + max(i[3] for i in ink_a)
        top = b.baseline + min(i[1] for i in ink_b)
        assert top - bottom >= CLEARANCE * 40 - 1
    # and the leading is Nastaliq's, not Latin's: ~1.83 × 1.25 × size
    assert block.lines[1].baseline - block.lines[0].baseline >= 1.8 * 1.25 * 40
