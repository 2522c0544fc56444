"""Bidi against Chromium: the visual order of every character of a mixed-direction corpus.

Each string is set by our layout on one wide line, and by headless Chromium in a <div> with the
same fonts (@font-face from fonts/), size, `lang` and direction. Chromium's visual order is read
by measuring every character's x position with Range.getClientRects; ours from the runs of the
laid-out line (each run is one level; inside an RTL run the characters go right to left).

Direction: Chromium gets `dir=auto` for a string whose strong characters are all of one
direction (our first-strong rule for such fields) and the variant's `dir` otherwise. Handles and
hashtags — the one documented deviation — are wrapped in <bdi> on the Chromium side, which is
exactly what our rule does to them.
"""

from __future__ import annotations

import html
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from shareables.text import TextStyle, layout
from shareables.text.bidi import bidi_levels, paragraph_rtl
from shareables.text.fonts import font_stack

sys.path.insert(0, str(Path(__file__).parent))
from bidi_corpus import CORPUS, HANDLE  # noqa: E402

FONTS = Path(__file__).resolve().parents[2] / "fonts"
FILES = ["NotoSans-Regular.ttf", "NotoNaskhArabic-Regular.ttf", "NotoSansHebrew-Regular.ttf"]
RTL_LANGS = {"ar", "fa", "he", "ur", "ps"}
SIZE = 32
_HANDLE = re.compile(r"[@#][^\s.,!?؟،]+")


def ours(lang: str, text: str) -> list[int]:
    """Logical indices of `text` in our visual order (left to right)."""
    style = TextStyle(font_stack([FONTS / f for f in FILES]), SIZE, SIZE, lang=lang,
                      direction="rtl" if lang in RTL_LANGS else "ltr")
    block = layout(text, style, SIZE, 100_000)
    assert len(block.lines) == 1 and block.lines[0].text == text
    order: list[int] = []
    for run in block.lines[0].runs:
        idx = list(range(run.start, run.end))
        order.extend(reversed(idx) if run.rtl else idx)
    return order


def _one_direction(text: str) -> bool:
    kinds = {unicodedata.bidirectional(c) for c in text}
    return ("L" in kinds) != bool(kinds & {"R", "AL"})


def _page(cases: list[tuple[str, str]]) -> str:
    faces = "".join(
        f"@font-face{{font-family:F{i};src:url('{(FONTS / f).as_uri()}')}}"
        for i, f in enumerate(FILES)
    )
    rows = []
    for k, (lang, text) in enumerate(cases):
        d = "auto" if _one_direction(text) else ("rtl" if lang in RTL_LANGS else "ltr")
        parts, pos = [], 0
        for m in (_HANDLE.finditer(text) if k in HANDLE else ()):
            parts.append(html.escape(text[pos:m.start()]))
            parts.append(f"<bdi>{html.escape(m.group())}</bdi>")
            pos = m.end()
        parts.append(html.escape(text[pos:]))
        rows.append(f'<div id="c{k}" lang="{lang}" dir="{d}">{"".join(parts)}</div>')
    fam = ",".join(f"F{i}" for i in range(len(FILES)))
    return (f"<!doctype html><meta charset=utf-8><style>{faces}"
            f"div{{font:{SIZE}px {fam};white-space:pre;width:max-content}}</style>"
            + "".join(rows))


_MEASURE = """(n) => {
  const out = [];
  for (let k = 0; k < n; k++) {
    const xs = [];
    const walker = document.createTreeWalker(document.getElementById('c' + k),
                                             NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      for (let i = 0; i < node.length; i++) {
        const r = document.createRange();
        r.setStart(node, i); r.setEnd(node, i + 1);
        const rect = r.getClientRects()[0];
        xs.push(rect ? rect.left + rect.width / 2 : null);
      }
    }
    out.push(xs);
  }
  return out;
}"""


@pytest.fixture(scope="module")
def chromium_orders(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> list[list[int]]:
    page_file = tmp_path_factory.mktemp("bidi") / "corpus.html"
    page_file.write_text(_page(CORPUS), encoding="utf-8")
    ctx = chromium.new_context(viewport={"width": 1600, "height": 900})
    page = ctx.new_page()
    page.goto(page_file.as_uri())
    page.evaluate("document.fonts.ready")
    xs = page.evaluate(_MEASURE, len(CORPUS))
    ctx.close()
    orders = []
    for (_, text), row in zip(CORPUS, xs, strict=True):
        assert len(row) == len(text) and None not in row, text
        orders.append(sorted(range(len(text)), key=lambda i: row[i]))
    return orders


def _show(text: str, order: list[int]) -> str:
    return "".join(text[i] for i in order)


def test_corpus_is_big_and_varied() -> None:
    assert len(CORPUS) >= 40
    assert len({lang for lang, _ in CORPUS}) >= 6
    assert sum(1 for _, t in CORPUS if "(" in t or "[" in t or "{" in t) >= 6


@pytest.mark.browser
@pytest.mark.parametrize("k", range(len(CORPUS)), ids=[t[:24] for _, t in CORPUS])
def test_visual_order_matches_chromium(k: int, chromium_orders: list[list[int]]) -> None:
    lang, text = CORPUS[k]
    # a combining mark sits on its letter: its measured x is the letter's, so it is left out
    base = [i for i in range(len(text)) if unicodedata.category(text[i]) != "Mn"]
    mine = [i for i in ours(lang, text) if i in base]
    theirs = [i for i in chromium_orders[k] if i in base]
    assert mine == theirs, (
        f"\n ours:     {_show(text, mine)!r}\n chromium: {_show(text, theirs)!r}\n"
        + json.dumps({"ours": mine, "chromium": theirs})
    )


@pytest.mark.browser
def test_handle_rule_is_the_only_deviation(chromium: Any, tmp_path: Path) -> None:
    """Without the <bdi> wrap, Chromium reverses the handle: the deviation is real and ours."""
    lang, text = CORPUS[min(HANDLE)]
    page_file = tmp_path / "plain.html"
    page_file.write_text(_page([(lang, text)]).replace("<bdi>", "").replace("</bdi>", ""),
                         encoding="utf-8")
    ctx = chromium.new_context()
    page = ctx.new_page()
    page.goto(page_file.as_uri())
    xs = page.evaluate(_MEASURE, 1)[0]
    ctx.close()
    plain = _show(text, sorted(range(len(text)), key=lambda i: xs[i]))
    assert plain.startswith("madrespeaks@"), plain
    assert _show(text, ours(lang, text)).startswith("@madrespeaks")


def test_brackets_keep_their_pairs_in_rtl() -> None:
    """N0: "(1986)" and "(MADRE)" sit whole at the left end of an Arabic line.

    The brackets resolve to the paragraph's RTL level, so in visual order the closing bracket
    comes first and HarfBuzz draws it mirrored, as "(": the reader sees "(MADRE)".
    """
    for text, inner in (("على هذه الأرض (1986)", "1986"), ("يفعت سوسكيند (MADRE)", "MADRE")):
        shown = _show(text, ours("ar", text))
        assert shown.startswith(")" + inner + "("), shown


def test_wholly_latin_field_in_rtl_variant_is_ltr() -> None:
    assert paragraph_rtl("Dr. Salwa!", True) is False
    assert paragraph_rtl("MADRE, Inc.", True) is False
    assert paragraph_rtl("تقول MADRE", True) is True
    assert paragraph_rtl("محمود درويش", False) is True
    assert paragraph_rtl("2023", True) is True  # neutral: the variant's direction
    assert _show("Dr. Salwa!", ours("ar", "Dr. Salwa!")) == "Dr. Salwa!"


def test_handle_takes_its_name_direction() -> None:
    text = "كانت تسمى فلسطين. @madrespeaks"
    levels = bidi_levels(text, True)
    at = text.index("@")
    assert levels[at] == levels[at + 1] == 2
