"""Alt text: in the variant's language, per carousel slide, within 1,000 characters."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from shareables.project.alttext import LABELS, MAX_CHARS, default_alt, slide_alt

HANDLE, BRAND = "@madrespeaks", "MADRE"


@pytest.mark.parametrize(("lang", "text", "name", "role", "want"), [
    ("en", "We have on this earth what makes life worth living.", "Mahmoud Darwish",
     "Palestinian poet",
     "Quote by Mahmoud Darwish, Palestinian poet: “We have on this earth what makes life worth "
     "living.” @madrespeaks"),
    ("ar", "على هذه الأرض ما يستحق الحياة", "محمود درويش", "شاعر فلسطيني",
     "اقتباس من محمود درويش، شاعر فلسطيني: «على هذه الأرض ما يستحق الحياة». @madrespeaks"),
    ("he", "אנחנו עומדות יחד", "רעות כהן", "פעילה",
     "ציטוט של רעות כהן, פעילה: „אנחנו עומדות יחד”. @madrespeaks"),
    ("fa", "ما در کنار آنان ایستاده‌ایم", "جمیله", None,
     "نقل قول از جمیله: «ما در کنار آنان ایستاده‌ایم». @madrespeaks"),
    ("ur", "ہم ساتھ کھڑے ہیں", "جمیلہ", "کارکن",
     "جمیلہ، کارکن کا قول: «ہم ساتھ کھڑے ہیں»۔ @madrespeaks"),
    ("de", "Wir schweigen nicht.", "Rana", None,
     "Zitat von Rana: „Wir schweigen nicht.“ @madrespeaks"),
])
def test_quote_alt_in_the_variant_language(lang: str, text: str, name: str, role: str | None,
                                           want: str) -> None:
    assert default_alt("quote", text, None, name, role, HANDLE, BRAND, lang) == want


def test_no_english_scaffolding_in_a_language_without_labels() -> None:
    alt = default_alt("quote", "Tunasimama pamoja.", None, "Amina", None, HANDLE, BRAND, "sw")
    assert alt == "“Tunasimama pamoja.” — Amina. @madrespeaks"
    assert "Quote" not in alt


def test_arabic_alt_has_no_latin_scaffolding() -> None:
    alt = default_alt("statement", "نطالب بوقف إطلاق النار", "بيان", None, None, HANDLE, BRAND,
                      "ar")
    latin = re.findall(r"[A-Za-z]+", alt)
    assert set(latin) <= {"MADRE", "madrespeaks"}, alt
    assert alt.startswith("بيان. بيان من MADRE: ")


def test_already_quoted_text_is_not_quoted_again() -> None:
    alt = default_alt("quote", "“Ceasefire now.”", None, "Yifat", None, None, BRAND, "en")
    assert alt == "Quote by Yifat: “Ceasefire now.”"


def test_photo_description_is_folded_in() -> None:
    alt = default_alt("statement", "All victims deserve justice.", "On the ICC", None, None,
                      HANDLE, BRAND, "en", photo="Women marching in Kabul")
    assert alt.endswith("Photo: Women marching in Kabul. @madrespeaks")
    ar = default_alt("statement", "كلمة", None, None, None, None, BRAND, "ar",
                     photo="نساء يتظاهرن")
    assert ar.endswith("صورة: نساء يتظاهرن.")


@pytest.mark.parametrize("lang", sorted(LABELS))
def test_every_alt_within_the_limit(lang: str) -> None:
    long = " ".join(["word"] * 600)
    for kind in ("quote", "statement", "carousel", "tag"):
        alt = default_alt(kind, long, "Title", "Name", "Role", HANDLE, BRAND, lang,
                          photo="A photo")
        assert len(alt) <= MAX_CHARS and alt.endswith(HANDLE) and "…" in alt
    assert len(slide_alt("content", long, 2, 5, title="T", handle=HANDLE, brand=BRAND,
                         lang=lang)) <= MAX_CHARS


def test_slide_alts_describe_their_slide() -> None:
    kw = {"title": "Three things", "handle": HANDLE, "brand": BRAND}
    assert slide_alt("cover", "Three things", 1, 5, lang="en", **kw) == \
        "Slide 1 of 5: Three things."
    assert slide_alt("content", "Aid is blocked.", 3, 5, lang="en", **kw) == \
        "Slide 3 of 5: Aid is blocked."
    assert slide_alt("closing", "", 5, 5, lang="en", **kw) == \
        "Slide 5 of 5: Download and share, and tag us @madrespeaks."
    assert slide_alt("content", "المساعدات محجوبة", 2, 4, lang="ar", **kw) == \
        "الشريحة 2 من 4: المساعدات محجوبة."


CAROUSEL = """\
    kind: carousel
    title: Three things about Gaza
    slides:
      - Most families have been displaced, many of them several times over.
      - Mothers give birth without care, without water and without electricity.
      - Aid is blocked at the border while people starve.
    translations:
      ar:
        title: ثلاثة أشياء عن غزة
        slides:
          - نزحت معظم العائلات، كثير منها عدة مرات.
          - تلد الأمهات دون رعاية ودون ماء أو كهرباء.
          - المساعدات محجوبة على الحدود بينما يجوع الناس.
"""


def test_built_carousel_has_an_alt_per_slide_in_its_language(tmp_path: Path) -> None:
    """A real build: every slide's manifest alt and embedded XMP say that slide, in the
    variant's language, tagged with xml:lang."""
    from fixtures_project import make_project

    from shareables.build.pipeline import build_project

    project = make_project(tmp_path / "p", platforms=("instagram-square",))
    for rel in list((project / "designs").rglob("*.yaml")):
        rel.unlink()
    (project / "designs" / "palestine").mkdir(parents=True, exist_ok=True)
    (project / "designs" / "palestine" / "gaza-three.yaml").write_text(
        textwrap.dedent(CAROUSEL))
    result = build_project(project, jobs=1)
    assert result.exit_code == 0, [str(e) for e in result.errors]
    manifest = json.loads((project / "output" / "manifest.json").read_text())
    for lang, cover, closing in (("en", "Three things about Gaza", "tag us @madrespeaks"),
                                 ("ar", "ثلاثة أشياء عن غزة", "أشيروا إلينا @madrespeaks")):
        slides = sorted((a for a in manifest["artefacts"] if a["role"] == "slide"
                         and a["lang"] == lang), key=lambda a: a["slide"])
        assert len(slides) == 5
        alts = [a["alt"] for a in slides]
        assert len(set(alts)) == len(alts)  # no two slides share an alt
        assert all(len(a) <= MAX_CHARS for a in alts)
        assert cover in alts[0] and closing in alts[-1]
        assert all("Slide" not in a for a in alts) if lang == "ar" else True
        data = (project / "output" / slides[1]["path"]).read_bytes()
        xmp = data[data.index(b"<x:xmpmeta"):data.index(b"</x:xmpmeta>")].decode()
        assert f'xml:lang="{lang}"' in xmp and alts[1].split(":")[0] in xmp


def test_validation_warns_when_a_photo_has_no_description(tmp_path: Path) -> None:
    from fixtures_project import make_project

    from shareables.build.validate import validate_project
    from shareables.project.settings import load_settings

    project = make_project(tmp_path / "p", platforms=("instagram-square",))
    design = project / "designs" / "afghanistan" / "defenders.yaml"
    described = design.read_text()
    design.write_text(described.replace("  alt: Women at a rally holding placards\n", ""))
    report = validate_project(load_settings(project), [design], render=False)
    assert report.errors == []
    assert [w.field for w in report.warnings] == ["background.image"]
    assert "background.alt" in (report.warnings[0].hint or "")
    design.write_text(described)
    report = validate_project(load_settings(project), [design], render=False)
    assert report.errors == [] and report.warnings == []
