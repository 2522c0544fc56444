"""Golden images for text in every script: the four cases of docs/typography.md.

- an Arabic quote whose Latin role sits in brackets (N0, first-strong),
- an English statement with an embedded Arabic name (fallback scaling, per-line leading),
- a Hebrew statement with digits (numbers, maqaf, serif Hebrew title),
- an Urdu quote in Nastaliq (per-language font stack).

Regenerate after an intended change:
    UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/text/test_script_goldens.py
and look at the images (tests/text/golden/) before committing them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image, ImageChops

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
from shareables.render.resources import Resources

ROOT = Path(__file__).resolve().parents[2]
FONTS = ROOT / "fonts"
GOLDEN = Path(__file__).resolve().parent / "golden"
HEADING = tuple(FONTS / n for n in ("NotoSerif-Bold.ttf", "NotoNaskhArabic-Bold.ttf",
                                    "NotoSerifHebrew-Bold.ttf", "NotoColorEmoji.ttf"))
BODY = tuple(FONTS / n for n in ("NotoSans-Regular.ttf", "NotoNaskhArabic-Regular.ttf",
                                 "NotoSansHebrew-Regular.ttf", "NotoColorEmoji.ttf"))
URDU = ("ur", (FONTS / "NotoNastaliqUrdu-Bold.ttf",), (FONTS / "NotoNastaliqUrdu-Regular.ttf",))
THEME = Theme("default", Colors(), Fonts(HEADING, BODY, (URDU,)))


def variant(kind: str, text: str, lang: str, **kw: object) -> Variant:
    fields: dict[str, object] = dict(
        design_id="scripts", campaign="tests", kind=kind, lang=lang,
        direction=direction_of(lang), text=text, title=None, date=None, slides=None,
        attribution=None, highlight=(), alt="alt", caption=None, theme=THEME,
        background=Background(), handle="@madrespeaks", logo=ROOT / "brand" / "logo.svg",
        brand_name="MADRE", platforms=(), source=ROOT / "designs" / "tests" / "t.yaml",
        original=True,
    )
    fields.update(kw)
    return Variant(**fields)  # type: ignore[arg-type]


CASES: dict[str, Variant] = {
    "ar-quote-latin-role": variant(
        "quote", "على هذه الأرض ما يستحق الحياة. نقف مع نساء غزة منذ 7 أكتوبر.", "ar",
        attribution=Attribution("يفعت سوسكيند", "المديرة التنفيذية (Executive Director, MADRE)"),
        highlight=("نساء غزة",)),
    "en-statement-arabic-name": variant(
        "statement", "Today we honour Dr. سلوى الكردي and the 40,000 women of Gaza who keep "
        "their families alive under siege. Their courage is the measure of our work.", "en",
        title="Statement on Gaza", date="May 21, 2024", highlight=("40,000 women",)),
    "he-statement-digits": variant(
        "statement", "על 3 הרוגים ב-7 באוקטובר 2023 דווח בבוקר; יותר מ-70% מהנפגעים הם נשים "
        "וילדים. אנחנו דורשים הפסקת אש מיידית.", "he",
        title="הצהרה על עזה", date="21 במאי 2024", highlight=("הפסקת אש מיידית",)),
    "ur-quote-nastaliq": variant(
        "quote", "ہم افغانستان کی عورتوں کے ساتھ ہر دن کھڑے ہیں۔ ان کی آواز ہماری آواز ہے۔",
        "ur", attribution=Attribution("جمیلہ افغانی", "انسانی حقوق کی کارکن"),
        highlight=("کھڑے ہیں۔",)),
}
PLATFORM = "instagram-square"


@pytest.fixture(scope="module")
def slides() -> dict[str, render.Slide]:
    res = Resources()
    return {name: render.render_slides(v, PLATFORMS[PLATFORM], res)[0]
            for name, v in CASES.items()}


def _golden(name: str, img: Image.Image) -> None:
    small = img.resize((540, round(img.height * 540 / img.width)), Image.Resampling.LANCZOS)
    path = GOLDEN / f"{name}.png"
    if os.environ.get("UPDATE_GOLDENS"):
        GOLDEN.mkdir(exist_ok=True)
        small.save(path, optimize=True)
        return
    assert path.exists(), f"no golden {path.name}: UPDATE_GOLDENS=1 to create it, then look"
    want = Image.open(path).convert("RGB")
    assert want.size == small.size
    hist = ImageChops.difference(want, small).convert("L").histogram()
    off = sum(hist[48:]) / (small.width * small.height)
    if off > 0.005:
        out = Path(os.environ.get("GOLDEN_DIFF_DIR", "/tmp")) / f"golden-diff-{name}.png"
        both = Image.new("RGB", (small.width * 2 + 4, small.height), "white")
        both.paste(want, (0, 0))
        both.paste(small, (small.width + 4, 0))
        both.save(out)
        pytest.fail(f"{name}: {off:.2%} of pixels differ from the golden (see {out}: golden | "
                    "new); if intended, UPDATE_GOLDENS=1 and look at the images")


@pytest.mark.parametrize("name", sorted(CASES))
def test_script_golden(name: str, slides: dict[str, render.Slide]) -> None:
    _golden(name, slides[name].image)


def test_urdu_is_set_in_nastaliq(slides: dict[str, render.Slide]) -> None:
    """The `by_language` stack puts Nastaliq first for ur: its letters come from it."""
    from shareables.text.fonts import font_stack

    stack = font_stack((*URDU[2], *BODY))
    runs = stack.runs(CASES["ur-quote-nastaliq"].text or "")
    assert {stack.paths[i].name for _, i in runs} == {"NotoNastaliqUrdu-Regular.ttf"}
    assert slides["ur-quote-nastaliq"].items  # and the card rendered
