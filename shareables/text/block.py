"""Text blocks: fitting text into a box at the largest size, laying it out, drawing it.

This is the public text API (it re-exports `Span`, `smart_typography` and `parse_markup` from
typography.py); bidi.py, linebreak.py and fonts.py do the parts. No canvas decisions live
here (no backgrounds, no boxes beyond the one given): the renderer asks `fit` for the largest
block that fits a box, then `draw`s it where the layout says.

Usage::

    spans = parse_markup(smart_typography(text, lang), highlight)
    style = TextStyle(font_stack(paths), max_size=96, min_size=30, lang=lang)
    block = fit(spans, style, box.w, box.h)       # raises TextDoesNotFit
    ink = draw(image, block, box.x, box.y, fill="#fff", accent_fill="#f2b134")
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fontTools import unicodedata as fu

from ..errors import MissingGlyphError, RenderError
from .bidi import base_direction, bidi_levels, visual_order
from .fonts import ZWJ, FontStack, clusters
from .linebreak import (
    BREAKABLE_SPACES,
    Item,
    balanced,
    break_opportunities,
    line_count,
    penalty,
)
from .typography import Span, parse_markup, smart_typography

__all__ = [
    "Line", "Run", "Span", "TextBlock", "TextDoesNotFit", "TextStyle", "base_direction",
    "bidi_levels", "draw", "fit", "layout", "parse_markup", "smart_typography",
]

if TYPE_CHECKING:
    from PIL import Image


class TextDoesNotFit(RenderError):
    """Text too long for its box even at the legibility floor.

    `needed_chars_to_cut` estimates how many characters must go for the text to fit at
    `min_size`; the renderer adds file, field and platform to the message.
    """

    def __init__(
        self,
        needed_chars_to_cut: int,
        *,
        min_size: int,
        box: tuple[int, int],
        message: str | None = None,
        **kwargs: object,
    ) -> None:
        self.needed_chars_to_cut = needed_chars_to_cut
        self.min_size = min_size
        self.box = box
        super().__init__(
            message
            or f"text does not fit in {box[0]}×{box[1]} px even at the minimum size "
            f"({min_size} px)",
            hint=kwargs.pop("hint", None)  # type: ignore[arg-type]
            or f"cut about {needed_chars_to_cut} character"
            + ("" if needed_chars_to_cut == 1 else "s"),
            **kwargs,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class TextStyle:
    """How to set a block of text: fonts, size range, leading, language and alignment.

    `direction` None means: from `lang` (model.direction_of), or from the first strong character
    when `lang` is empty or "und". `align` 'start' is left for LTR and right for RTL.
    `paragraph_spacing` is extra space after a hard paragraph break, in multiples of the size.
    """

    fonts: FontStack
    max_size: int
    min_size: int
    line_height: float = 1.25
    lang: str = "en"
    direction: str | None = None
    align: str = "start"  # start | center | end
    paragraph_spacing: float = 0.5


@dataclass(frozen=True)
class Run:
    """Text drawn with one font in one direction; `x` is its left edge within the line."""

    text: str  # logical (storage) order; the shaper orders glyphs within the run
    font_index: int
    rtl: bool
    accent: bool
    x: float
    width: float


@dataclass(frozen=True)
class Line:
    """One line: runs in visual order (left to right), placed relative to the block origin."""

    runs: tuple[Run, ...]
    x: float  # left edge of the line (alignment applied within the block width)
    baseline: float  # from the block top
    width: float
    text: str  # logical text of the line (for tests and alt text checks)


@dataclass(frozen=True)
class TextBlock:
    """A laid-out block of text at one size, ready to draw.

    Coordinates are relative to the block origin (top-left of the box it was fitted to).
    `width` is the box width the lines are aligned in; `height` is the height the block
    occupies (nominal line metrics, grown to the ink when glyphs reach further); `ink` is the
    union of the glyphs' extents (l, t, r, b) and lies within (0, 0, width, height).
    """

    size: int
    lines: tuple[Line, ...]
    width: int
    height: int
    ink: tuple[int, int, int, int]
    direction: str
    style: TextStyle

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def content_width(self) -> float:
        """Width of the longest line (for shrink-wrapping a block)."""
        return max((line.width for line in self.lines), default=0.0)


# --------------------------------------------------------------------------- preparation

_REF = 100  # advances are linear in size (unhinted), so words are measured once at this size
_URL_BREAK_AFTER = frozenset("/.-?&=_#:@")


def _is_joining(ch: str) -> bool:
    return fu.script(ch) in ("Arab", "Syrc", "Nkoo", "Mong")


@dataclass
class _Para:
    text: str
    accent: list[bool]
    font: list[int]
    level: list[int]
    items: list[Item]
    words: int


@dataclass
class _Prepared:
    stack: FontStack
    lang: str
    rtl: bool
    paras: list[_Para]
    fonts: frozenset[int]
    chars: int
    leading_fonts: frozenset[int]  # text fonts setting at least a fifth of the letters


def _run_spans(p: _Para, a: int, b: int) -> list[tuple[int, int]]:
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


def _run_text(p: _Para, a: int, b: int) -> str:
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


def _span_advance(prep: _Prepared, p: _Para, a: int, b: int, size: int) -> float:
    return sum(
        prep.stack.advance(p.font[s], size, _run_text(p, s, e), p.level[s] % 2 == 1, prep.lang)
        for s, e in _run_spans(p, a, b)
    )


def _prepare(spans: tuple[Span, ...], stack: FontStack, lang: str, rtl: bool) -> _Prepared:
    key = (stack, spans, lang, rtl)
    hit = _prep_cache.get(key)
    if hit is not None:
        return hit
    text = "".join(s.text for s in spans).replace("\r\n", "\n").replace("\r", "\n")
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
    paras: list[_Para] = []
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
        p = _Para(ptext, pflags, font, bidi_levels(ptext, rtl), [], len(ptext.split()))
        for a, b, space in break_opportunities(ptext):
            gend = b
            while gend < len(ptext) and ptext[gend] in BREAKABLE_SPACES:
                gend += 1
            w = _span_advance_unit(stack, lang, p, a, b)
            g = _span_advance_unit(stack, lang, p, b, gend) if gend > b else 0.0
            p.items.append(Item(a, b, gend, w, g, space))
        for k, it in enumerate(p.items[:-1]):
            if not it.space:
                continue
            prev = ptext[p.items[k - 1].start : p.items[k - 1].end] if k else ""
            nxt = p.items[k + 1]
            it.penalty = penalty(prev, ptext[it.start : it.end], ptext[nxt.start : nxt.end],
                                 pflags[it.end - 1] and pflags[nxt.start])
        paras.append(p)
    letters = Counter(f for p in paras for f, ch in zip(p.font, p.text, strict=True)
                      if ch.isalpha() and not stack.is_color(f))
    total = sum(letters.values())
    leading = frozenset(f for f, n in letters.items() if n >= 0.2 * total)
    prep = _Prepared(stack, lang, rtl, paras, frozenset(fonts_used), len(text), leading)
    if len(_prep_cache) > 512:
        _prep_cache.clear()
    _prep_cache[key] = prep
    return prep


_prep_cache: dict[tuple[object, ...], _Prepared] = {}


def _span_advance_unit(stack: FontStack, lang: str, p: _Para, a: int, b: int) -> float:
    """Advance of [a, b) per px of size, measured once at the reference size."""
    total = 0.0
    for s, e in _run_spans(p, a, b):
        idx = p.font[s]
        native = stack.native_size(idx)
        ref = native or _REF
        total += stack.advance(idx, ref, _run_text(p, s, e), p.level[s] % 2 == 1, lang) / ref
    return total


# --------------------------------------------------------------------------- line breaking


def _split_long(prep: _Prepared, p: _Para, it: Item, size: int, box_w: float) -> list[Item]:
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
    prep: _Prepared, p: _Para, size: int, box_w: float, floor: int | None
) -> list[Item] | None:
    """The paragraph's items at `size`, cutting those wider than the box.

    With a `floor`, only an item too wide even at the floor size may be cut (a URL); any
    other item too wide means the size does not fit (None): a smaller size beats "Palest|ine".
    """
    out: list[Item] = []
    for it in p.items:
        if it.w * size > box_w:
            if floor is not None and it.w * floor <= box_w:
                return None
            out.extend(_split_long(prep, p, it, size, box_w))
        else:
            out.append(it)
    return out


def _words_for_widow(prep: _Prepared, p: _Para) -> int:
    """The word count the widow rule sees for paragraph `p`.

    The rule is about the text: with four or more words in all, no paragraph of two or more
    words ends in a single-word line ("Ceasefire / now." is set on one line or not at all).
    """
    total = sum(q.words for q in prep.paras)
    return 4 if total >= 4 and p.words >= 2 else p.words


def _break_all(
    prep: _Prepared, size: int, box_w: float, allow_widow: bool, floor: int | None = None
) -> list[list[tuple[int, int, list[Item]]]] | None:
    """Lines of every paragraph at `size`, as (first, end, items) triples (None: no fit)."""
    out = []
    for p in prep.paras:
        items = _items_at(prep, p, size, box_w, floor)
        if items is None:
            return None
        lines = balanced(items, size, box_w, _words_for_widow(prep, p), allow_widow)
        if lines is None:
            return None
        out.append([(a, b, items) for a, b in lines])
    return out


def _count_lines(
    prep: _Prepared, size: int, box_w: float, allow_widow: bool, floor: int | None
) -> int | None:
    """Total lines at `size` without choosing the breaks (None: does not fit)."""
    total = 0
    for p in prep.paras:
        items = _items_at(prep, p, size, box_w, floor)
        if items is None:
            return None
        n = line_count(items, size, box_w, _words_for_widow(prep, p), allow_widow)
        if n is None:
            return None
        total += n
    return total


# --------------------------------------------------------------------------- fitting


def _style_dir(style: TextStyle, text: str) -> bool:
    direction = style.direction or base_direction(text, style.lang)
    return direction == "rtl"


def _as_spans(spans: Sequence[Span] | str) -> tuple[Span, ...]:
    return (Span(spans),) if isinstance(spans, str) else tuple(spans)


def _vertical(prep: _Prepared, style: TextStyle, size: int) -> tuple[int, int, int, int]:
    """(ascent, descent, line advance, paragraph gap) in px at `size`.

    Leading is `line_height` times the size, scaled up by how much taller the tallest text
    font setting a good share of the letters is than the first font of the stack: Naskh Arabic
    needs ~25 % more room than Latin for its marks and descenders, so a mixed stack keeps one
    `line_height` setting, while one Arabic word in an English quote does not loosen it.
    """
    fonts = sorted(prep.fonts) or [0]
    asc = max(prep.stack.metrics(i, size)[0] for i in fonts)
    desc = max(prep.stack.metrics(i, size)[1] for i in fonts)
    a0, d0 = prep.stack.metrics(0, _REF)
    factor = max(
        [1.0]
        + [sum(prep.stack.metrics(i, _REF)) / (a0 + d0) for i in sorted(prep.leading_fonts)]
    )
    lead = round(size * style.line_height * factor)
    gap = round(size * style.paragraph_spacing)
    return math.ceil(asc), math.ceil(desc), lead, gap


def _nominal_height(prep: _Prepared, style: TextStyle, size: int, n_lines: int) -> int:
    asc, desc, lead, gap = _vertical(prep, style, size)
    return asc + desc + (n_lines - 1) * lead + (len(prep.paras) - 1) * gap


def _build(
    prep: _Prepared,
    style: TextStyle,
    size: int,
    box_w: int,
    broken: list[list[tuple[int, int, list[Item]]]],
) -> TextBlock:
    """Measure runs exactly at `size`, order them visually and place the lines."""
    stack, lang = prep.stack, prep.lang
    asc, desc, lead, gap = _vertical(prep, style, size)
    align = style.align
    raw: list[tuple[list[Run], float, str, tuple[float, float, float, float] | None, int]] = []
    for pi, (p, para_lines) in enumerate(zip(prep.paras, broken, strict=True)):
        for li, (a, b, items) in enumerate(para_lines):
            start, end = items[a].start, items[b - 1].end
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
                runs.append(Run(text, p.font[s], rtl, p.accent[s], x, w))
                x += w
            para_break = 1 if (li == 0 and pi > 0) else 0
            raw.append((runs, x, p.text[start:end], ink, para_break))
    # first baseline: the nominal ascent, pushed down if marks on the first line reach higher
    first_ink = raw[0][3] if raw else None
    baseline = max(asc, math.ceil(-first_ink[1]) if first_ink else 0)
    lines: list[Line] = []
    ink_all: tuple[float, float, float, float] | None = None
    rtl_block = prep.rtl
    for n, (runs, width, text, ink, para_break) in enumerate(raw):
        if n:
            baseline += lead + gap * para_break
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
    sp = _as_spans(spans)
    text = "".join(s.text for s in sp)
    prep = _prepare(sp, style.fonts, style.lang, _style_dir(style, text))
    broken = _break_all(prep, size, box_w, allow_widow=False)
    if broken is None:
        broken = _break_all(prep, size, box_w, allow_widow=True)
    assert broken is not None
    return _build(prep, style, size, box_w, broken)


def _inside(block: TextBlock, box_w: int, box_h: int) -> bool:
    left, top, right, bottom = block.ink
    return left >= 0 and top >= 0 and right <= box_w and bottom <= box_h and block.height <= box_h


def _try(
    prep: _Prepared, style: TextStyle, size: int, box_w: int, box_h: int, allow_widow: bool
) -> TextBlock | None:
    """The block at `size` when it fits the box exactly (real ink), else None."""
    broken = _break_all(prep, size, box_w, allow_widow, style.min_size)
    if broken is None:
        return None
    n_lines = sum(len(lines) for lines in broken)
    if _nominal_height(prep, style, size, n_lines) > box_h:
        return None
    block = _build(prep, style, size, box_w, broken)
    if _inside(block, box_w, box_h):
        return block
    over = max(block.ink[2] - box_w, -block.ink[0])
    if over > 0 and block.height <= box_h:
        # Ink overhang (a swash, an italic f) pokes out sideways: re-break a little narrower.
        narrower = box_w - math.ceil(over) - 1
        broken = _break_all(prep, size, narrower, allow_widow, style.min_size)
        if broken is not None:
            block = _build(prep, style, size, box_w, broken)
            if _inside(block, box_w, box_h):
                return block
    return None


def _fits_fast(
    prep: _Prepared, style: TextStyle, size: int, box_w: int, box_h: int, allow_widow: bool
) -> bool:
    """Line count x leading within the box, from cached per-px widths (no shaping)."""
    n_lines = _count_lines(prep, size, box_w, allow_widow, style.min_size)
    return n_lines is not None and _nominal_height(prep, style, size, n_lines) <= box_h


def fit(spans: Sequence[Span] | str, style: TextStyle, box_w: int, box_h: int) -> TextBlock:
    """The block at the largest integer size in [min_size, max_size] that fits the box.

    Fits means: every line within `box_w`, and the ink and line boxes within `box_h`.
    Binary search on cheap widths first, then the answer is checked (and corrected by a step
    if needed) with real shaping and ink. Raises TextDoesNotFit (with an estimate of the
    characters to cut) when even `min_size` does not fit.
    """
    sp = _as_spans(spans)
    text = "".join(s.text for s in sp)
    prep = _prepare(sp, style.fonts, style.lang, _style_dir(style, text))
    lo, hi = style.min_size, style.max_size
    if not prep.paras:
        return _build(prep, style, hi, box_w, [])
    for allow_widow in (False, True):
        if not _fits_fast(prep, style, lo, box_w, box_h, allow_widow):
            continue
        a, b = lo, hi  # invariant: a fits (fast check); find the largest
        while a < b:
            mid = (a + b + 1) // 2
            if _fits_fast(prep, style, mid, box_w, box_h, allow_widow):
                a = mid
            else:
                b = mid - 1
        size = a
        block = _try(prep, style, size, box_w, box_h, allow_widow)
        while block is None and size > lo:
            size -= 1
            block = _try(prep, style, size, box_w, box_h, allow_widow)
        if block is not None:
            while size < hi:  # the cheap check can be a pixel pessimistic
                bigger = _try(prep, style, size + 1, box_w, box_h, allow_widow)
                if bigger is None:
                    break
                block, size = bigger, size + 1
            return block
    raise TextDoesNotFit(
        _chars_to_cut(sp, style, box_w, box_h), min_size=lo, box=(box_w, box_h)
    )


def _chars_to_cut(spans: tuple[Span, ...], style: TextStyle, box_w: int, box_h: int) -> int:
    """How many characters to remove (from the end, at a word boundary) to fit at the floor.

    Starts from the share of lines that overflow at the floor size, then narrows it down by
    bisection with the cheap fit check, so the number is close to what is really needed.
    """
    text = "".join(s.text for s in spans)
    total = len(text)
    rtl = _style_dir(style, text)

    def fits_after(cut: int) -> bool:
        keep = text[: max(0, total - cut)]
        if 0 < cut < total and not text[total - cut].isspace() and " " in keep:
            keep = keep[: keep.rfind(" ")]  # never leave half a word
        if not keep.strip():
            return True
        trial = _prepare((Span(keep),), style.fonts, style.lang, rtl)
        return _fits_fast(trial, style, style.min_size, box_w, box_h, True)

    prep = _prepare(spans, style.fonts, style.lang, rtl)
    n_lines = _count_lines(prep, style.min_size, box_w, True, style.min_size) or 0
    asc, desc, lead, _gap = _vertical(prep, style, style.min_size)
    room = max(1, (box_h - asc - desc) // max(1, lead) + 1)
    guess = max(1, round(total * (1 - room / max(n_lines, 1))))
    bad, good = 0, min(total, guess)  # cutting `bad` is not enough; cutting `good` may be
    while not fits_after(good) and good < total:
        bad, good = good, min(total, good * 2)
    while good - bad > 1:
        mid = (bad + good) // 2
        if fits_after(mid):
            good = mid
        else:
            bad = mid
    return max(1, good)


# --------------------------------------------------------------------------- drawing


def draw(
    image: Image.Image,
    block: TextBlock,
    x: int,
    y: int,
    fill: str | tuple[int, ...],
    accent_fill: str | tuple[int, ...] | None = None,
) -> tuple[int, int, int, int]:
    """Draw the block with its origin at (x, y); returns the ink bbox in image coordinates.

    Accent spans use `accent_fill` (default `fill`); emoji are drawn in colour, rendered at
    the emoji font's bitmap size and scaled down with LANCZOS. The image must be RGB or RGBA.
    """
    from PIL import ImageDraw

    stack = block.style.fonts
    lang = block.style.lang or None
    d = ImageDraw.Draw(image)
    for line in block.lines:
        for run in line.runs:
            rx = x + line.x + run.x
            ry = y + line.baseline
            if stack.is_color(run.font_index):
                if not run.text.strip():
                    continue
                img, ox, oy = stack.emoji_image(run.font_index, run.text, block.size)
                pos = (round(rx) + ox, round(ry) + oy)
                if image.mode == "RGBA":
                    image.alpha_composite(img, pos)
                else:
                    image.paste(img, pos, img)
                continue
            d.text(
                (rx, ry),
                run.text,
                fill=accent_fill if (run.accent and accent_fill is not None) else fill,
                font=stack.font(run.font_index, block.size),
                anchor="ls",
                direction="rtl" if run.rtl else "ltr",
                language=lang,
            )
    left, top, right, bottom = block.ink
    return (x + left, y + top, x + right, y + bottom)
