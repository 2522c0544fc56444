"""Quotation marks per language, no doubled quotes, maqaf (docs/typography.md)."""

from __future__ import annotations

import pytest

from shareables.text import quote_marks, smart_typography, unquote


@pytest.mark.parametrize(("lang", "marks"), [
    ("en", ("“", "”")), ("de", ("„", "“")), ("fr", ("«", "»")), ("ar", ("«", "»")),
    ("fa", ("«", "»")), ("ps", ("«", "»")), ("ur", ("«", "»")), ("he", ("„", "”")),
    ("en-GB", ("“", "”")), ("xx", ("“", "”")),
])
def test_quote_marks_per_language(lang: str, marks: tuple[str, str]) -> None:
    assert quote_marks(lang) == marks


@pytest.mark.parametrize("lang", ["ar", "fa", "ps", "ur"])
def test_arabic_script_body_quotes_are_guillemets(lang: str) -> None:
    assert smart_typography('قال "لا"', lang) == "قال «لا»"


@pytest.mark.parametrize(("text", "bare"), [
    ("“Ceasefire now.”", "Ceasefire now."),
    ("“Ceasefire now”.", "Ceasefire now."),
    ('"Ceasefire now."', "Ceasefire now."),
    ("«لن نصمت»", "لن نصمت"),
    ("„Wir schweigen nicht.“", "Wir schweigen nicht."),
    ("“Free” and “fair”", "“Free” and “fair”"),  # two quotes: left alone
    ("He said “no”.", "He said “no”."),  # quoted in part: left alone
    ("No quotes here", "No quotes here"),
])
def test_unquote_removes_one_outer_pair(text: str, bare: str) -> None:
    assert unquote(text) == bare


def test_maqaf_for_hebrew_prefixes_before_digits() -> None:
    assert smart_typography("נהרגו ב-7 באוקטובר ו-3 בנובמבר", "he") == \
        "נהרגו ב\u05be7 באוקטובר ו\u05be3 בנובמבר"
    assert smart_typography("מה-1948", "he") == "מה\u05be1948"
    assert smart_typography("תל-אביב 2-3", "he") == "תל-אביב 2-3"  # not a prefix: unchanged
    assert smart_typography("ב-7", "en") == "ב-7"  # only in Hebrew text settings


def test_smart_typography_in_names_and_dates() -> None:
    assert smart_typography("Rana O'Neil", "en") == "Rana O’Neil"
    assert smart_typography("May 21 - 24, 2024", "en") == "May 21\u00a0– 24, 2024"
