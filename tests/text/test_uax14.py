"""UAX #14 break opportunities from ICU (text/breakrules.py `opportunities`).

Unicode's own LineBreakTest.txt is not available offline here (no package in the mirror ships
it, and the build and tests never fetch), so ICU is checked three ways: UAX #14's own
examples; the shipped designs and the bidi corpus, where ICU must give exactly the breaks
uniseg gave before (the pure-Python UAX #14 the opportunities came from, still installed for
grapheme clusters); and random text in the project's scripts, where the two must agree at
every position but one kind. That kind is the break right after a hyphen or dash (line break
class HY or BA, combining marks attached): there ICU follows Unicode 17's rules (uniseg
implements 16) and keeps a word-initial dash with its word ("–word", Hebrew "־word").
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from uniseg.linebreak import line_break, line_break_units

from shareables.text.breakrules import opportunities, pieces_of

sys.path.insert(0, str(Path(__file__).parent))
from bidi_corpus import CORPUS  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _icu(text: str) -> list[int]:
    """Where a line may start (inside the text): the pieces breakrules builds from ICU."""
    return [p.gend for p in opportunities(text)][:-1]


def _uniseg(text: str) -> list[int]:
    """The same from uniseg's opportunities."""
    return [p.gend for p in pieces_of(text, line_break_units(text))][:-1]


def _after_hyphen(text: str, i: int) -> bool:
    """The position follows a hyphen or dash (HY, BA), combining marks on it skipped."""
    j = i - 1
    while j > 0 and line_break(text[j]).value in ("CM", "ZWJ"):
        j -= 1
    return line_break(text[j]).value in ("HY", "BA")


def _texts(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [t for v in node.values() for t in _texts(v)]
    if isinstance(node, list):
        return [t for v in node for t in _texts(v)]
    return []


def test_uax14_examples() -> None:
    cases = {
        "The quick (\u201cbrown\u201d) fox can\u2019t jump 32.3 feet, right?":
            ["The ", "quick ", "(\u201cbrown\u201d) ", "fox ", "can\u2019t ", "jump ",
             "32.3 ", "feet, ", "right?"],
        "Hello, world.": ["Hello, ", "world."],
        "$10 million, 40,000 people (7%)": ["$10 ", "million, ", "40,000 ", "people ",
                                             "(7%)"],
        "well-known": ["well-", "known"],
        "a\u00a0b c": ["a\u00a0b ", "c"],
        "\u05d0\u05d1 \u05d2\u05d3": ["\u05d0\u05d1 ", "\u05d2\u05d3"],
        "\u0643\u0627\u0646\u062a \u062a\u0633\u0645\u0649": ["\u0643\u0627\u0646\u062a ",
                                                             "\u062a\u0633\u0645\u0649"],
        "\U0001f44d\U0001f3fd ok": ["\U0001f44d\U0001f3fd ", "ok"],  # astral: code points
    }
    for text, units in cases.items():
        got = [text[p.start : p.gend] for p in opportunities(text)]
        assert got == units, text
    assert opportunities("") == []


def test_the_shipped_texts_break_where_they_did() -> None:
    texts = [t for path in sorted((ROOT / "designs").rglob("*.yaml"))
             for t in _texts(yaml.safe_load(path.read_text(encoding="utf-8")))]
    texts += [t for _lang, t in CORPUS]
    paragraphs = [p for t in texts for p in t.split("\n") if p.strip()]
    assert len(paragraphs) > 100
    for p in paragraphs:
        assert _icu(p) == _uniseg(p), p


_LATIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\u00e9\u00fc\u00f1"
_ARABIC = "\u0627\u0628\u062a\u062b\u062c\u062d\u0633\u0641\u0644\u0645\u0646\u0647\u0648\u064a"
_PERSIAN = "\u067e\u0686\u0698\u06af\u06a9\u06cc\u06c0"
_HEBREW = "\u05d0\u05d1\u05d2\u05d3\u05d4\u05d5\u05d6\u05d7\u05d8\u05d9\u05db\u05dc\u05de\u05e9"
_MARKS = "\u064b\u064c\u064e\u064f\u0650\u0651\u0652\u0654\u05b0\u05b4\u0301\u0308"
_TOKENS = st.one_of(
    st.text(_LATIN, min_size=1, max_size=8),
    st.text(_ARABIC + _PERSIAN, min_size=1, max_size=8),
    st.builds(lambda a, m: "".join(c + d for c, d in zip(a, m, strict=False)) + a[len(m):],
              st.text(_ARABIC + _HEBREW, min_size=1, max_size=6),
              st.text(_MARKS, max_size=3)),
    st.text(_HEBREW, min_size=1, max_size=8),
    st.text("0123456789\u0660\u0661\u0662\u06f1\u06f2", min_size=1, max_size=5),
    st.sampled_from(list(" .,;:!?()[]\"'\u201c\u201d\u2018\u2019\u00ab\u00bb-\u2013\u2014/"
                         "%$\u20ac\u00a3#+&@*\u2026\u05be\u05f3\u05f4\u060c\u061b\u061f"
                         "\u06d4\u200c\u00a0\u2009\u202f\u200b\u2060\u00ad\u2010")),
    st.sampled_from(["\U0001f44d\U0001f3fd", "\u270a\U0001f3fe", "\u2764\ufe0f",
                     "\U0001f1f5\U0001f1f8", "\U0001f469\u200d\U0001f469\u200d\U0001f467"]),
    st.just(" "),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_TOKENS, min_size=1, max_size=14).map("".join))
def test_icu_agrees_with_uniseg_but_after_hyphens(text: str) -> None:
    icu, uni = set(_icu(text)), set(_uniseg(text))
    assert all(_after_hyphen(text, i) for i in icu ^ uni), (text, sorted(icu), sorted(uni))


def test_a_word_initial_dash_stays_with_its_word() -> None:
    """Where ICU (Unicode 17) and uniseg (16) differ, the difference is this rule."""
    for text in ("It was \u2013never\u2013 said", "\u05d7 \u05be\u05d7"):
        cut = _uniseg(text)
        assert set(cut) - set(_icu(text)), text  # uniseg broke after the dash, ICU does not
        assert all(_after_hyphen(text, i) for i in set(cut) - set(_icu(text)))
