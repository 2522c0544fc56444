"""Setting one paragraph group at one size: measure, break into balanced lines, build a block.

Words are measured once at a reference size (advances are linear in size for unhinted
outlines), bidi runs are resolved per paragraph, and the line breaker works on those measured
items; `build_block` then shapes each line with Raqm for its real ink.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from fontTools import unicodedata as fu

from ..errors import MissingGlyphError
from .bidi import base_direction, bidi_levels, paragraph_rtl, visual_order
from .block import Line, Run, TextBlock, TextStyle
from .breakrules import pieces_for
from .fonts import ZWJ, FontStack, clusters
from .leading import line_advance, line_fonts, vertical
from .linebreak import Item, balanced, line_count, merge_bound, penalty
from .typography import Span

_T = TypeVar("_T")

# --------------------------------------------------------------------------- preparation

_REF = 100  # advances are linear in size (unhinted), so words are measured once at this size
# a piece too wide for the line even alone (a long slug) is cut between clusters, preferably
# after URL punctuation — never after a slug's hyphen when anything else will do
_URL_BREAK_AFTER = frozenset("/.?&=#")


def _is_joining(ch: str) -> bool:
    return fu.script(ch) in ("Arab", "Syrc", "Nkoo", "Mong")


@dataclass
class Para:
    text: str
    accent: list[bool]
    font: list[int]
    level: list[int]
    items: list[Item]
    words: int


_Probe = tuple[int, float, bool, "int | None"]  # size, box width, widow allowed, floor
Broken = list[list[tuple[int, int, list[Item]]]]
"""A text's lines: per paragraph, (first item, end item, the items) per line."""


@dataclass
class Prepared:
    stack: FontStack
    lang: str
    rtl: bool
    paras: list[Para]
    fonts: frozenset[int]
    chars: int
    leading_fonts: frozenset[int]  # text fonts setting at least a fifth of the letters
    # What the fitting search already worked out for this text, by its arguments: it asks
    # again at the same sizes for every box height it is given (a card's two passes, the
    # phrasing's sizes), and each answer depends on nothing else.
    counts: dict[_Probe, int | None] = field(default_factory=dict, repr=False, compare=False)
    breaks: dict[_Probe, Broken | None] = field(default_factory=dict, repr=False,
                                                compare=False)
    verticals: dict[tuple[int, float, float], tuple[int, int, int, int]] = field(
        default_factory=dict, repr=False, compare=False)


def _run_spans(p: Para, a: int, b: int) -> list[tuple[int, int]]:
    """[a, b) cut where font, bidi level or accent changes."""
    out: list[tuple[int, int]] = []
    s = a
    for i in range(a + 1, b):
        if (p.font[i], p.level[i], p.accent[i]) != (p.font[s], p.level[s], p.accent[s]):
            out.append((s, i))
            s = i
    if a < b:
        out.append((s, b))
    return out


def _letter(text: str, i: int, step: int) -> str:
    """The nearest character from i in direction `step` that is not a combining mark."""
    while 0 <= i < len(text) and unicodedata.category(text[i]) in ("Mn", "Me"):
        i += step
    return text[i] if 0 <= i < len(text) else " "


def _run_text(p: Para, a: int, b: int) -> str:
    """The text to shape for run [a, b): ZWJ keeps Arabic joining across a colour change.

    A highlight that starts or ends inside an Arabic word ("**فلسطين**ية") splits the word into
    two draw calls; the ZWJ on each side makes HarfBuzz pick the joined letter forms anyway.
    """
    t = p.text[a:b]
    if a > 0 and _is_joining(_letter(p.text, a - 1, -1)) and _is_joining(_letter(p.text, a, 1)):
        t = ZWJ + t
    if b < len(p.text) and (
        _is_joining(_letter(p.text, b - 1, -1)) and _is_joining(_letter(p.text, b, 1))
    ):
        t = t + ZWJ
    return t


def _span_advance(prep: Prepared, p: Para, a: int, b: int, size: int) -> float:
    return sum(
        prep.stack.advance(p.font[s], size, _run_text(p, s, e), p.level[s] % 2 == 1, prep.lang)
        for s, e in _run_spans(p, a, b)
    )


_NEWLINES = str.maketrans("\r\u2028\u2029", "\n\n\n")
"""Line breaks other than "\\n": a lone CR, and Unicode's line and paragraph separators (a raw
one in a YAML block scalar stays in the text, pasted text brings them). Raqm fails on a text
holding U+2029 (a second bidi paragraph), and U+2028 was drawn as a blank mid-line."""


def prepare(spans: tuple[Span, ...], stack: FontStack, lang: str, rtl: bool) -> Prepared:
    key = (stack, spans, lang, rtl)
    hit = _prep_cache.get(key)
    if hit is not None:
        return hit
    text = "".join(s.text for s in spans).replace("\r\n", "\n").translate(_NEWLINES)
    missing = stack.missing(text)
    if missing:  # never draw a tofu box (validation normally reports this first)
        chars = " ".join(f"{c!r} (U+{ord(c):04X})" for c in missing)
        raise MissingGlyphError(
            f"no font has a glyph for {chars}",
            hint="add a font that covers it to brand.fonts in shareables.yaml, or replace "
            "the character",
        )
    flags = [s.accent for s in spans for _ in s.text]
    if len(flags) != len(text):  # \r\n collapsed: rebuild flags without the \r
        flags = [s.accent for s in spans for ch in s.text.replace("\r\n", "\n")]
    paras: list[Para] = []
    fonts_used: set[int] = set()
    for m in re.finditer(r"[^\n]+", text):
        ptext = m.group().replace("\t", " ")
        pflags = flags[m.start() : m.end()]
        lead = len(ptext) - len(ptext.lstrip(" "))
        ptext, pflags = ptext.strip(" "), pflags[lead : lead + len(ptext.strip(" "))]
        if not ptext:
            continue
        for i in range(1, len(ptext)):
            # a mark takes its letter's colour: a draw call must never start with a lone mark
            if unicodedata.category(ptext[i]) in ("Mn", "Me") or ptext[i] in "\u200d\ufe0f":
                pflags[i] = pflags[i - 1]
        font: list[int] = []
        for run, idx in stack.runs(ptext):
            font.extend([idx] * len(run))
        fonts_used.update(font)
        levels = bidi_levels(ptext, paragraph_rtl(ptext, rtl))
        p = Para(ptext, pflags, font, levels, [], len(ptext.split()))
        for pc in pieces_for(ptext, pflags, lang):
            a, b, gend = pc.start, pc.end, pc.gend
            w = _span_advance_unit(stack, lang, p, a, b)
            g = _span_advance_unit(stack, lang, p, b, gend) if gend > b else 0.0
            p.items.append(Item(a, b, gend, w, g, gend > b, bind=pc.bind))
        for k, it in enumerate(p.items[:-1]):
            if not it.space:
                continue
            prev = ptext[p.items[k - 1].start : p.items[k - 1].end] if k else ""
            nxt = p.items[k + 1]
            it.penalty = penalty(prev, ptext[it.start : it.end], ptext[nxt.start : nxt.end])
        paras.append(p)
    letters = Counter(f for p in paras for f, ch in zip(p.font, p.text, strict=True)
                      if ch.isalpha() and not stack.is_color(f))
    total = sum(letters.values())
    leading = frozenset(f for f, n in letters.items() if n >= 0.2 * total)
    prep = Prepared(stack, lang, rtl, paras, frozenset(fonts_used), len(text), leading)
    if len(_prep_cache) > 512:
        _prep_cache.clear()
    _prep_cache[key] = prep
    return prep


_prep_cache: dict[tuple[object, ...], Prepared] = {}


def _span_advance_unit(stack: FontStack, lang: str, p: Para, a: int, b: int) -> float:
    """Advance of [a, b) per px of size, measured once at the reference size."""
    total = 0.0
    for s, e in _run_spans(p, a, b):
        idx = p.font[s]
        native = stack.native_size(idx)
        ref = native or _REF
        total += stack.advance(idx, ref, _run_text(p, s, e), p.level[s] % 2 == 1, lang) / ref
    return total


# --------------------------------------------------------------------------- line breaking


def _split_long(prep: Prepared, p: Para, it: Item, size: int, box_w: float) -> list[Item]:
    """Cut an item wider than the box (a URL, a long compound) into pieces that fit.

    Prefers cuts after URL punctuation when the piece stays at least half the box wide;
    otherwise cuts between grapheme clusters.
    """
    bounds = [it.start]
    for c in clusters(p.text[it.start : it.end]):
        bounds.append(bounds[-1] + len(c))
    pieces: list[Item] = []
    a = it.start
    k = 1
    while a < it.end:
        best = good = None
        while k < len(bounds):
            b = bounds[k]
            w = _span_advance_unit(prep.stack, prep.lang, p, a, b) * size
            if w > box_w and best is not None:
                break
            best = k
            if p.text[b - 1] in _URL_BREAK_AFTER and w >= box_w / 2:
                good = k
            k += 1
        cut = good if (good is not None and k < len(bounds)) else best
        assert cut is not None
        b = bounds[cut]
        last = b >= it.end
        w = _span_advance_unit(prep.stack, prep.lang, p, a, b)
        pieces.append(Item(a, b, it.gend if last else b, w, it.g if last else 0.0,
                            it.space if last else False))
        a = b
        k = cut + 1
    return pieces


def _items_at(
    prep: Prepared, p: Para, size: int, box_w: float, floor: int | None
) -> list[Item] | None:
    """The paragraph's items at `size`, cutting those wider than the box.

    With a `floor`, only an item too wide even at the floor size may be cut (a URL); any
    other item too wide means the size does not fit (None): a smaller size beats "Palest|ine".
    """
    out: list[Item] = []
    for it in merge_bound(p.items, size, box_w):
        if it.w * size > box_w:
            if floor is not None and it.w * floor <= box_w:
                return None
            out.extend(_split_long(prep, p, it, size, box_w))
        else:
            out.append(it)
    return out


def _words_for_widow(prep: Prepared, p: Para) -> int:
    """The word count the widow rule sees for paragraph `p`.

    The rule is about the text: with four or more words in all, no paragraph of two or more
    words ends in a single-word line ("Ceasefire / now." is set on one line or not at all).
    """
    total = sum(q.words for q in prep.paras)
    return 4 if total >= 4 and p.words >= 2 else p.words


def break_all(
    prep: Prepared, size: int, box_w: float, allow_widow: bool, floor: int | None = None
) -> Broken | None:
    """Lines of every paragraph at `size`, as (first, end, items) triples (None: no fit).
    Remembered on `prep`: callers only read the lists."""
    key = (size, box_w, allow_widow, floor)
    if key not in prep.breaks:
        prep.breaks[key] = _break_all(prep, size, box_w, allow_widow, floor)
    return prep.breaks[key]


def _break_all(
    prep: Prepared, size: int, box_w: float, allow_widow: bool, floor: int | None
) -> Broken | None:
    per = _each_para(prep, size, box_w, allow_widow, floor, balanced)
    return None if per is None else [[(a, b, items) for a, b in lines] for items, lines in per]


def count_lines(
    prep: Prepared, size: int, box_w: float, allow_widow: bool, floor: int | None
) -> int | None:
    """Total lines at `size` without choosing the breaks (None: does not fit)."""
    key = (size, box_w, allow_widow, floor)
    if key not in prep.counts:
        prep.counts[key] = _count_lines(prep, size, box_w, allow_widow, floor)
    return prep.counts[key]


def _count_lines(
    prep: Prepared, size: int, box_w: float, allow_widow: bool, floor: int | None
) -> int | None:
    per = _each_para(prep, size, box_w, allow_widow, floor, line_count)
    return None if per is None else sum(n for _items, n in per)


def _each_para(
    prep: Prepared, size: int, box_w: float, allow_widow: bool, floor: int | None,
    solve: Callable[[list[Item], int, float, int, bool], _T | None],
) -> list[tuple[list[Item], _T]] | None:
    """Each paragraph's items at `size` with what `solve` (linebreak.balanced or line_count)
    makes of them; None as soon as one paragraph does not fit."""
    out = []
    for p in prep.paras:
        items = _items_at(prep, p, size, box_w, floor)
        if items is None:
            return None
        got = solve(items, size, box_w, _words_for_widow(prep, p), allow_widow)
        if got is None:
            return None
        out.append((items, got))
    return out


# --------------------------------------------------------------------------- fitting


def style_rtl(style: TextStyle, text: str) -> bool:
    direction = style.direction or base_direction(text, style.lang)
    return direction == "rtl"


def as_spans(spans: Sequence[Span] | str) -> tuple[Span, ...]:
    return (Span(spans),) if isinstance(spans, str) else tuple(spans)


def nominal_height(prep: Prepared, style: TextStyle, size: int, n_lines: int) -> int:
    asc, desc, lead, gap = vertical(prep, style, size)
    return asc + desc + (n_lines - 1) * lead + (len(prep.paras) - 1) * gap


def build_block(
    prep: Prepared,
    style: TextStyle,
    size: int,
    box_w: int,
    broken: Broken,
) -> TextBlock:
    """Measure runs exactly at `size`, order them visually and place the lines."""
    stack, lang = prep.stack, prep.lang
    asc, desc, lead, gap = vertical(prep, style, size)
    align = style.align
    raw: list[tuple[list[Run], float, str, tuple[float, float, float, float] | None, int]] = []
    per_line: list[set[int]] = []  # the text fonts on each line
    for pi, (p, para_lines) in enumerate(zip(prep.paras, broken, strict=True)):
        for li, (a, b, items) in enumerate(para_lines):
            start, end = items[a].start, items[b - 1].end
            per_line.append(line_fonts(prep, p, start, end))
            spans = _run_spans(p, start, end)
            order = visual_order([p.level[s] for s, _ in spans])
            runs: list[Run] = []
            x = 0.0
            ink: tuple[float, float, float, float] | None = None
            for k in order:
                s, e = spans[k]
                rtl = p.level[s] % 2 == 1
                text = _run_text(p, s, e)
                w = stack.advance(p.font[s], size, text, rtl, lang)
                box = stack.ink(p.font[s], size, text, rtl, lang)
                if text.strip():
                    rb = (x + box[0], box[1], x + box[2], box[3])
                    ink = rb if ink is None else (min(ink[0], rb[0]), min(ink[1], rb[1]),
                                                  max(ink[2], rb[2]), max(ink[3], rb[3]))
                runs.append(Run(text, p.font[s], rtl, p.accent[s], x, w, s - start, e - start))
                x += w
            para_break = 1 if (li == 0 and pi > 0) else 0
            raw.append((runs, x, p.text[start:end], ink, para_break))
    # first baseline: the ascent of the first line's fonts, pushed down if marks reach higher
    if per_line:
        asc = math.ceil(max(stack.metrics(f, size)[0] for f in per_line[0]))
        desc = math.ceil(max(stack.metrics(f, size)[1] for f in per_line[-1]))
    first_ink = raw[0][3] if raw else None
    baseline = max(asc, math.ceil(-first_ink[1]) if first_ink else 0)
    lines: list[Line] = []
    ink_all: tuple[float, float, float, float] | None = None
    rtl_block = prep.rtl
    for n, (runs, width, text, ink, para_break) in enumerate(raw):
        if n:  # the leading, or more where these two lines' glyphs would touch
            baseline += line_advance(lead, size, raw[n - 1][3], ink) + gap * para_break
        if align == "center":
            lx = (box_w - width) / 2
        elif (align == "start") == rtl_block:  # start in RTL or end in LTR: flush right
            lx = box_w - width
        else:
            lx = 0.0
        if ink is not None:
            # A glyph that overhangs its advance at a line edge (the hook of a "j", a swash)
            # nudges just that line inwards, so ink never leaves the box.
            if lx + ink[2] > box_w:
                lx = box_w - ink[2]
            if lx + ink[0] < 0:
                lx = -ink[0]
        lines.append(Line(tuple(runs), lx, float(baseline), width, text))
        if ink is not None:
            rb = (lx + ink[0], baseline + ink[1], lx + ink[2], baseline + ink[3])
            ink_all = rb if ink_all is None else (min(ink_all[0], rb[0]), min(ink_all[1], rb[1]),
                                                  max(ink_all[2], rb[2]), max(ink_all[3], rb[3]))
    bottom = baseline + desc
    box = (
        (math.floor(ink_all[0]), math.floor(ink_all[1]), math.ceil(ink_all[2]),
         math.ceil(ink_all[3]))
        if ink_all else (0, 0, 0, 0)
    )
    height = max(bottom, box[3]) if lines else 0
    return TextBlock(size, tuple(lines), box_w, height, box, "rtl" if rtl_block else "ltr", style)


def layout(spans: Sequence[Span] | str, style: TextStyle, size: int, box_w: int) -> TextBlock:
    """Set the text at exactly `size` px with balanced lines no wider than `box_w`.

    The block may be taller than any box: callers check `block.height` (see `fit`).
    """
    sp = as_spans(spans)
    text = "".join(s.text for s in sp)
    prep = prepare(sp, style.fonts, style.lang, style_rtl(style, text))
    broken = break_all(prep, size, box_w, allow_widow=False)
    if broken is None:
        broken = break_all(prep, size, box_w, allow_widow=True)
    assert broken is not None
    return build_block(prep, style, size, box_w, broken)
