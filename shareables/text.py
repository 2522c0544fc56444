"""Typography: smart quotes, markup spans, bidi, line breaking, fitting and drawing text blocks.

No canvas decisions live here (no backgrounds, no boxes beyond the one given): the renderer asks
`fit` for the largest block that fits a box, then `draw`s it where the layout says.

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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fontTools import unicodedata as fu

from .errors import RenderError
from .fonts import ZWJ, FontStack
from .model import direction_of

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
class Span:
    """A piece of text, drawn in the accent colour when `accent` is true."""

    text: str
    accent: bool = False


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


# --------------------------------------------------------------------------- typography

# (open, close, nested open, nested close) as each language prints them (CLDR, Wikipedia).
# Arabic-script quotes are stored logically: « opens, and bidi mirroring shows it as » at the
# right-hand start of an RTL line, which is what Arabic readers expect.
_QUOTES: dict[str, tuple[str, str, str, str]] = {
    "en": ("“", "”", "‘", "’"),
    "de": ("„", "“", "‚", "‘"),
    "fr": ("«\u202f", "\u202f»", "“", "”"),  # French sets a narrow no-break space inside
    "es": ("«", "»", "“", "”"),
    "it": ("«", "»", "“", "”"),
    "pt": ("“", "”", "‘", "’"),
    "ru": ("«", "»", "„", "“"),
    "uk": ("«", "»", "„", "“"),
    "pl": ("„", "”", "«", "»"),
    "ar": ("«", "»", "“", "”"),
    "fa": ("«", "»", "“", "”"),
    "prs": ("«", "»", "“", "”"),
    "ps": ("«", "»", "“", "”"),
    "ckb": ("«", "»", "“", "”"),
    "ur": ("”", "“", "’", "‘"),  # CLDR: logical order, shown mirrored in RTL lines
    "he": ("„", "”", "‚", "’"),
}
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
_OPENING_CONTEXT = set(" \t\n\u00a0\u202f([{<«‹„“‘—–-/")
_HEBREW = re.compile(r"[\u05d0-\u05ea]")


def smart_typography(text: str, lang: str) -> str:
    """Curly quotes and apostrophes, en/em dashes and ellipses as `lang` writes them.

    `---` becomes an em dash, `--` and a spaced hyphen (` - `) the spaced en dash the
    organisation's texts use, with a no-break space before it so a dash never starts a line;
    `...` an ellipsis. Straight quotes open after a space, bracket or dash and close
    elsewhere. In Hebrew, `"` and `'` inside words become gershayim ״ and geresh ׳ (צה״ל).
    URLs and e-mail addresses are left alone; Arabic ، ؟ ؛ are kept.
    """
    q_open, q_close, s_open, s_close = _QUOTES.get(lang.split("-")[0].lower(), _QUOTES["en"])
    hebrew = lang.split("-")[0].lower() in ("he", "yi")
    out: list[str] = []
    pos = 0
    for m in _URL.finditer(text):
        out.append(_smarten(text[pos : m.start()], q_open, q_close, s_open, s_close, hebrew,
                            text[m.start() - 1] if m.start() else ""))
        out.append(m.group())
        pos = m.end()
    out.append(_smarten(text[pos:], q_open, q_close, s_open, s_close, hebrew,
                        text[pos - 1] if pos else ""))
    return "".join(out)


def _smarten(
    s: str, q_open: str, q_close: str, s_open: str, s_close: str, hebrew: bool, before: str
) -> str:
    s = s.replace("...", "…").replace("---", "—")
    s = re.sub(r"[ \u00a0]*--[ \u00a0]*", "\u00a0– ", s)
    s = re.sub(r"(?<=\S) +[-–] +(?=\S)", "\u00a0– ", s)  # spaced hyphen/en dash: keep with prev
    chars = list(s)
    for i, ch in enumerate(chars):
        if ch not in "\"'":
            continue
        prev = chars[i - 1] if i else before
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        if hebrew and _HEBREW.match(prev or " "):
            if ch == '"' and _HEBREW.match(nxt or " "):
                chars[i] = "\u05f4"  # gershayim in acronyms
                continue
            if ch == "'":
                chars[i] = "\u05f3"  # geresh
                continue
        opening = prev == "" or prev in _OPENING_CONTEXT
        if ch == '"':
            chars[i] = q_open if opening else q_close
        elif opening and not nxt[:1].isdigit():  # ’90s is an apostrophe, not a quote
            chars[i] = s_open
        else:
            chars[i] = s_close if not prev.isalnum() or not nxt[:1].isalnum() else "’"
    return "".join(chars)


def parse_markup(text: str, highlight: Sequence[str] = ()) -> list[Span]:
    """Split text into spans; `**inline**` markup and `highlight` phrases become accent spans.

    Highlight phrases match case-insensitively, across straight or curly quotes and any
    run of whitespace; the `**` markers are removed (an unpaired `**` is kept as text).
    """
    plain: list[str] = []
    accent: list[bool] = []
    parts = text.split("**")
    if len(parts) % 2 == 0:  # odd number of markers: the last one is literal
        parts[-2:] = [parts[-2] + "**" + parts[-1]]
    for k, part in enumerate(parts):
        plain.extend(part)
        accent.extend([k % 2 == 1] * len(part))
    joined = "".join(plain)
    for phrase in highlight:
        if not phrase.strip():
            continue
        for m in re.finditer(_phrase_pattern(phrase), joined, re.IGNORECASE):
            accent[m.start() : m.end()] = [True] * (m.end() - m.start())
    spans: list[Span] = []
    for ch, acc in zip(joined, accent, strict=True):
        if spans and spans[-1].accent == acc:
            spans[-1] = Span(spans[-1].text + ch, acc)
        else:
            spans.append(Span(ch, acc))
    return spans


def _phrase_pattern(phrase: str) -> str:
    out = []
    for ch in phrase.strip():
        if ch in "'’‘":
            out.append("['’‘׳]")
        elif ch in '"“”«»„':
            out.append('["“”«»„״]\u202f?')
        elif ch.isspace():
            out.append(r"\s+")
        else:
            out.append(re.escape(ch))
    return "".join(out)


# --------------------------------------------------------------------------- bidi


def base_direction(text: str, lang: str | None) -> str:
    """Paragraph direction: from the language when known, else from the first strong char."""
    code = (lang or "").split("-")[0].lower()
    if code and code not in ("und", "zxx", "mul"):
        return direction_of(code)
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _bidi_classes(text: str) -> list[str]:
    classes = [unicodedata.bidirectional(ch) or "ON" for ch in text]
    # A handle or hashtag takes the direction of its name, so "@madrespeaks" at the end of an
    # Arabic sentence reads "@madrespeaks", not "madrespeaks@" (what plain UAX #9 gives).
    for i, ch in enumerate(text[:-1]):
        if ch in "@#" and classes[i + 1] in ("L", "R", "AL"):
            classes[i] = "R" if classes[i + 1] == "AL" else classes[i + 1]
    return classes


def bidi_levels(text: str, rtl: bool) -> list[int]:
    """Resolved UAX #9 embedding levels (rules W1–W7, N1–N2, I1–I2) for one paragraph.

    Our text has no explicit embedding controls, so the paragraph is one level run. We resolve
    levels ourselves because python-bidi's public API returns reordered strings, not levels,
    and its legacy module drops ZWJ/ZWNJ, which would misalign indices with the text.
    Boundary-neutral characters (ZWJ, ZWNJ, marks) take their neighbour's class.
    """
    base = 1 if rtl else 0
    sor = "R" if rtl else "L"
    t = _bidi_classes(text)
    n = len(t)
    prev = sor
    for i in range(n):  # W1 (and X9: boundary neutrals behave like marks)
        if t[i] in ("NSM", "BN"):
            t[i] = prev if prev not in ("LRI", "RLI", "FSI", "PDI") else "ON"
        elif t[i] in ("LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"):
            t[i] = "ON"
        prev = t[i]
    strong = sor
    for i in range(n):  # W2, W3
        if t[i] == "EN" and strong == "AL":
            t[i] = "AN"
        if t[i] in ("L", "R", "AL"):
            strong = t[i]
    t = ["R" if c == "AL" else c for c in t]
    for i in range(1, n - 1):  # W4
        if t[i] == "ES" and t[i - 1] == t[i + 1] == "EN":
            t[i] = "EN"
        elif t[i] == "CS" and t[i - 1] == t[i + 1] and t[i - 1] in ("EN", "AN"):
            t[i] = t[i - 1]
    for i in range(n):  # W5
        if t[i] == "EN":
            j = i - 1
            while j >= 0 and t[j] == "ET":
                t[j] = "EN"
                j -= 1
            j = i + 1
            while j < n and t[j] == "ET":
                t[j] = "EN"
                j += 1
    t = ["ON" if c in ("ET", "ES", "CS") else c for c in t]  # W6
    strong = sor
    for i in range(n):  # W7
        if t[i] == "EN" and strong == "L":
            t[i] = "L"
        if t[i] in ("L", "R"):
            strong = t[i]
    i = 0
    while i < n:  # N1, N2
        if t[i] in ("L", "R", "EN", "AN"):
            i += 1
            continue
        j = i
        while j < n and t[j] not in ("L", "R", "EN", "AN"):
            j += 1
        before = sor if i == 0 else ("R" if t[i - 1] in ("R", "EN", "AN") else "L")
        after = sor if j == n else ("R" if t[j] in ("R", "EN", "AN") else "L")
        fill = before if before == after else sor
        t[i:j] = [fill] * (j - i)
        i = j
    levels = []
    for c in t:  # I1, I2
        if base == 0:
            levels.append(1 if c == "R" else 2 if c in ("EN", "AN") else 0)
        else:
            levels.append(2 if c in ("L", "EN", "AN") else 1)
    return levels


def _visual_order(levels: Sequence[int]) -> list[int]:
    """Indices of runs in visual (left-to-right) order, by UAX #9 rule L2."""
    order = list(range(len(levels)))
    if not levels:
        return order
    top = max(levels)
    lowest_odd = min((lv for lv in levels if lv % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order


# --------------------------------------------------------------------------- measuring

_REF = 100  # advances are linear in size (unhinted), so words are measured once at this size
_BREAKABLE_SPACES = frozenset(" \t\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008"
                              "\u2009\u200a\u205f\u3000")
_URL_BREAK_AFTER = frozenset("/.-?&=_#:@")
_width_cache: dict[tuple[object, ...], float] = {}
_bbox_cache: dict[tuple[object, ...], tuple[float, float, float, float]] = {}
_metric_cache: dict[tuple[object, ...], tuple[int, int]] = {}


def _shaping_lang(lang: str) -> str | None:
    return lang or None


def _advance(stack: FontStack, idx: int, size: int, text: str, rtl: bool, lang: str) -> float:
    """Advance width of `text` in font `idx` at `size` px (bitmap fonts scaled)."""
    native = stack.native_size(idx)
    load = native or size
    key = (stack, idx, load, text, rtl, lang)
    w = _width_cache.get(key)
    if w is None:
        font = stack.font(idx, load)
        w = font.getlength(text, direction="rtl" if rtl else "ltr", language=_shaping_lang(lang))
        _width_cache[key] = w
    return w * size / native if native else w


def _ink(
    stack: FontStack, idx: int, size: int, text: str, rtl: bool, lang: str
) -> tuple[float, float, float, float]:
    """Ink box (l, t, r, b) of `text` relative to its left baseline origin.

    Pillow's horizontal extent is the union of the advance and the ink (so it is never
    narrower than the advance); vertically it is the glyphs' real extent, marks included.
    """
    native = stack.native_size(idx)
    load = native or size
    key = (stack, idx, load, text, rtl, lang)
    box = _bbox_cache.get(key)
    if box is None:
        font = stack.font(idx, load)
        box = tuple(
            float(v)
            for v in font.getbbox(
                text, anchor="ls", direction="rtl" if rtl else "ltr",
                language=_shaping_lang(lang),
            )
        )  # type: ignore[assignment]
        _bbox_cache[key] = box  # type: ignore[assignment]
    assert box is not None
    if native:
        k = size / native
        return (box[0] * k, box[1] * k, box[2] * k, box[3] * k)
    return box


def _metrics(stack: FontStack, idx: int, size: int) -> tuple[float, float]:
    """(ascent, descent) of font `idx` at `size`, scaled for bitmap fonts."""
    native = stack.native_size(idx)
    key = (stack, idx, native or size)
    m = _metric_cache.get(key)
    if m is None:
        m = stack.font(idx, native or size).getmetrics()
        _metric_cache[key] = m
    if native:
        return (m[0] * size / native, m[1] * size / native)
    return (float(m[0]), float(m[1]))


def _is_joining(ch: str) -> bool:
    return fu.script(ch) in ("Arab", "Syrc", "Nkoo", "Mong")


# --------------------------------------------------------------------------- preparation


@dataclass
class _Item:
    """An unbreakable piece of a paragraph with the breakable spaces after it."""

    start: int
    end: int  # end of the visible text
    gend: int  # end including the spaces after it (dropped at a line end)
    w: float  # advance per px of size
    g: float  # spaces' advance per px of size
    space: bool  # a word boundary follows (spaces), not a break inside a word


@dataclass
class _Para:
    text: str
    accent: list[bool]
    font: list[int]
    level: list[int]
    items: list[_Item]
    words: int


@dataclass
class _Prepared:
    stack: FontStack
    lang: str
    rtl: bool
    paras: list[_Para]
    fonts: frozenset[int]
    chars: int


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


def _run_text(p: _Para, a: int, b: int) -> str:
    """The text to shape for run [a, b): ZWJ keeps Arabic joining across an accent change."""
    t = p.text[a:b]
    if a > 0 and _is_joining(p.text[a - 1]) and _is_joining(p.text[a]):
        t = ZWJ + t
    if b < len(p.text) and _is_joining(p.text[b - 1]) and _is_joining(p.text[b]):
        t = t + ZWJ
    return t


def _span_advance(prep: _Prepared, p: _Para, a: int, b: int, size: int) -> float:
    return sum(
        _advance(prep.stack, p.font[s], size, _run_text(p, s, e), p.level[s] % 2 == 1, prep.lang)
        for s, e in _run_spans(p, a, b)
    )


def _break_opportunities(text: str) -> list[tuple[int, int, bool]]:
    """Items as (start, end, gend-is-space) boundaries: UAX #14-style opportunities in short.

    Breaks after runs of breakable spaces (not no-break spaces), after hyphens and dashes
    between letters, after slashes inside words, and at zero-width spaces.
    """
    out: list[tuple[int, int, bool]] = []
    n = len(text)
    start = i = 0
    while i < n:
        ch = text[i]
        if ch in _BREAKABLE_SPACES or ch == "\u200b":
            j = i
            while j < n and (text[j] in _BREAKABLE_SPACES or text[j] == "\u200b"):
                j += 1
            if i > start:
                out.append((start, i, True))
            elif out:  # spaces after spaces: extend the previous item's glue
                out[-1] = (out[-1][0], out[-1][1], True)
            start = i = j
            continue
        if (
            ch in "-\u2010\u2013\u2014/"
            and i > start
            and i + 1 < n
            and text[i + 1] not in _BREAKABLE_SPACES
            and text[i - 1].isalnum()
            and (text[i + 1].isalnum() or ch == "/")
        ):
            out.append((start, i + 1, False))
            start = i + 1
        i += 1
    if start < n:
        out.append((start, n, False))
    return out


def _prepare(spans: tuple[Span, ...], stack: FontStack, lang: str, rtl: bool) -> _Prepared:
    key = (stack, spans, lang, rtl)
    hit = _prep_cache.get(key)
    if hit is not None:
        return hit
    text = "".join(s.text for s in spans).replace("\r\n", "\n").replace("\r", "\n")
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
        font: list[int] = []
        for run, idx in stack.runs(ptext):
            font.extend([idx] * len(run))
        fonts_used.update(font)
        p = _Para(ptext, pflags, font, bidi_levels(ptext, rtl), [], len(ptext.split()))
        for a, b, space in _break_opportunities(ptext):
            gend = b
            while gend < len(ptext) and (ptext[gend] in _BREAKABLE_SPACES or
                                         ptext[gend] == "\u200b"):
                gend += 1
            w = _span_advance_unit(stack, lang, p, a, b)
            g = _span_advance_unit(stack, lang, p, b, gend) if gend > b else 0.0
            p.items.append(_Item(a, b, gend, w, g, space))
        paras.append(p)
    prep = _Prepared(stack, lang, rtl, paras, frozenset(fonts_used), len(text))
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
        total += _advance(stack, idx, ref, _run_text(p, s, e), p.level[s] % 2 == 1, lang) / ref
    return total


# --------------------------------------------------------------------------- line breaking


def _split_long(prep: _Prepared, p: _Para, it: _Item, size: int, box_w: float) -> list[_Item]:
    """Cut an item wider than the box (a URL, a long compound) into pieces that fit.

    Prefers cuts after URL punctuation when the piece stays at least half the box wide;
    otherwise cuts between grapheme clusters.
    """
    from .fonts import clusters

    bounds = [it.start]
    for c in clusters(p.text[it.start : it.end]):
        bounds.append(bounds[-1] + len(c))
    pieces: list[_Item] = []
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
        pieces.append(_Item(a, b, it.gend if last else b, w, it.g if last else 0.0,
                            it.space if last else False))
        a = b
        k = cut + 1
    return pieces


def _items_at(prep: _Prepared, p: _Para, size: int, box_w: float) -> list[_Item]:
    out: list[_Item] = []
    for it in p.items:
        if it.w * size > box_w:
            out.extend(_split_long(prep, p, it, size, box_w))
        else:
            out.append(it)
    return out


def _greedy(items: Sequence[_Item], size: int, box_w: float) -> list[tuple[int, int]]:
    """First-fit lines as (first item, last item + 1): fewest lines, ragged."""
    lines: list[tuple[int, int]] = []
    i = 0
    n = len(items)
    while i < n:
        width = items[i].w * size
        j = i + 1
        while j < n and width + (items[j - 1].g + items[j].w) * size <= box_w:
            width += (items[j - 1].g + items[j].w) * size
            j += 1
        lines.append((i, j))
        i = j
    return lines


def _balanced(
    items: Sequence[_Item], size: int, box_w: float, words: int, allow_widow: bool
) -> list[tuple[int, int]] | None:
    """Breaks minimising the squared slack of every line (the last one too, so lines balance).

    Uses the greedy (minimal) line count, or up to two more lines when that avoids a
    single-word last line in a paragraph of four or more words. None when the widow rule
    cannot be met and `allow_widow` is false.
    """
    n = len(items)
    if n == 0:
        return []
    greedy = _greedy(items, size, box_w)
    if len(greedy) == 1:
        return greedy
    # prefix[k] = advance of items[:k] with the spaces after each
    prefix = [0.0]
    for it in items:
        prefix.append(prefix[-1] + (it.w + it.g) * size)

    def width(i: int, j: int) -> float:  # items[i:j] on one line
        return prefix[j] - prefix[i] - items[j - 1].g * size

    # space_before[k]: number of word boundaries among items[:k]; a last line items[i:n] has
    # two or more words when a word boundary falls inside it.
    bounds = [0]
    for it in items:
        bounds.append(bounds[-1] + (1 if it.space else 0))
    need_two = words >= 4 and not allow_widow

    def widow(i: int) -> bool:
        # items[i:] is one whole word: no word boundary inside, and it starts after a space
        # (a tail of a URL or hyphenated word cut to fit is a fragment, not a widow)
        return bounds[n - 1] - bounds[i] < 1 and (i == 0 or items[i - 1].space)
    inf = float("inf")
    for k in range(len(greedy), min(len(greedy) + 2, n) + 1):
        # cost[l][j]: best cost of items[:j] set in l lines; back[l][j]: start of line l
        cost = [[inf] * (n + 1) for _ in range(k + 1)]
        back = [[0] * (n + 1) for _ in range(k + 1)]
        cost[0][0] = 0.0
        for lines in range(1, k + 1):
            prev_row, row, brow = cost[lines - 1], cost[lines], back[lines]
            for j in range(lines, n + 1):
                i = j - 1
                best, arg = inf, -1
                while i >= lines - 1:
                    w = width(i, j)
                    if w > box_w and i < j - 1:
                        break
                    if prev_row[i] < inf:
                        c = prev_row[i] + (box_w - w) ** 2
                        if c < best:
                            best, arg = c, i
                    i -= 1
                row[j], brow[j] = best, arg
        if cost[k][n] == inf:
            continue
        # pick the last line's start honouring the widow rule
        result: list[tuple[int, int]] = []
        j = n
        i = back[k][n]
        if need_two and widow(i):
            candidates = [
                s for s in range(k - 1, n)
                if not widow(s) and width(s, n) <= box_w and cost[k - 1][s] < inf
            ]
            if not candidates:
                continue
            i = min(candidates, key=lambda s: cost[k - 1][s] + (box_w - width(s, n)) ** 2)
        result.append((i, j))
        lines_left = k - 1
        j = i
        while lines_left > 0:
            i = back[lines_left][j]
            result.append((i, j))
            j = i
            lines_left -= 1
        return result[::-1]
    if allow_widow or not need_two:
        return greedy
    return None


def _break_all(
    prep: _Prepared, size: int, box_w: float, allow_widow: bool
) -> list[list[tuple[int, int, list[_Item]]]] | None:
    """Lines of every paragraph at `size`, as (first, end, items) triples."""
    out = []
    for p in prep.paras:
        items = _items_at(prep, p, size, box_w)
        lines = _balanced(items, size, box_w, p.words, allow_widow)
        if lines is None:
            return None
        out.append([(a, b, items) for a, b in lines])
    return out


# --------------------------------------------------------------------------- fitting


def _style_dir(style: TextStyle, text: str) -> bool:
    direction = style.direction or base_direction(text, style.lang)
    return direction == "rtl"


def _as_spans(spans: Sequence[Span] | str) -> tuple[Span, ...]:
    return (Span(spans),) if isinstance(spans, str) else tuple(spans)


def _vertical(prep: _Prepared, style: TextStyle, size: int) -> tuple[int, int, int, int]:
    """(ascent, descent, line advance, paragraph gap) in px at `size`.

    Leading is `line_height` times the size, scaled up by how much taller the tallest text
    font used is than the first font of the stack: Naskh Arabic needs ~25 % more room than
    Latin for its marks and descenders, so a mixed stack keeps one `line_height` setting.
    """
    fonts = sorted(prep.fonts) or [0]
    asc = max(_metrics(prep.stack, i, size)[0] for i in fonts)
    desc = max(_metrics(prep.stack, i, size)[1] for i in fonts)
    a0, d0 = _metrics(prep.stack, 0, _REF)
    factor = max(
        [1.0]
        + [sum(_metrics(prep.stack, i, _REF)) / (a0 + d0) for i in fonts
           if not prep.stack.is_color(i)]
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
    broken: list[list[tuple[int, int, list[_Item]]]],
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
            order = _visual_order([p.level[s] for s, _ in spans])
            runs: list[Run] = []
            x = 0.0
            ink: tuple[float, float, float, float] | None = None
            for k in order:
                s, e = spans[k]
                rtl = p.level[s] % 2 == 1
                text = _run_text(p, s, e)
                w = _advance(stack, p.font[s], size, text, rtl, lang)
                box = _ink(stack, p.font[s], size, text, rtl, lang)
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
    broken = _break_all(prep, size, box_w, allow_widow)
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
        broken = _break_all(prep, size, narrower, allow_widow)
        if broken is not None:
            block = _build(prep, style, size, box_w, broken)
            if _inside(block, box_w, box_h):
                return block
    return None


def _fits_fast(
    prep: _Prepared, style: TextStyle, size: int, box_w: int, box_h: int, allow_widow: bool
) -> bool:
    """Line count x leading within the box, from cached per-px widths (no shaping)."""
    broken = _break_all(prep, size, box_w, allow_widow)
    if broken is None:
        return False
    n_lines = sum(len(lines) for lines in broken)
    return _nominal_height(prep, style, size, n_lines) <= box_h


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
    broken = _break_all(prep, style.min_size, box_w, True) or []
    n_lines = sum(len(lines) for lines in broken)
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


_emoji_cache: dict[tuple[object, ...], tuple[Image.Image, int, int]] = {}


def _emoji_image(stack: FontStack, idx: int, text: str, size: int) -> tuple[Image.Image, int, int]:
    """Colour bitmap of `text` scaled to `size`, with its offset from the baseline origin."""
    key = (stack, idx, text, size)
    hit = _emoji_cache.get(key)
    if hit is not None:
        return hit
    from PIL import Image as PILImage
    from PIL import ImageDraw

    native = stack.native_size(idx) or size
    font = stack.font(idx, native)
    left, top, right, bottom = (math.floor(v) if i < 2 else math.ceil(v)
                                for i, v in enumerate(font.getbbox(text, anchor="ls")))
    img = PILImage.new("RGBA", (max(1, right - left), max(1, bottom - top)), (0, 0, 0, 0))
    ImageDraw.Draw(img).text((-left, -top), text, font=font, anchor="ls", embedded_color=True)
    k = size / native
    w, h = max(1, round(img.width * k)), max(1, round(img.height * k))
    img = img.resize((w, h), PILImage.Resampling.LANCZOS)
    result = (img, round(left * k), round(top * k))
    if len(_emoji_cache) > 256:
        _emoji_cache.clear()
    _emoji_cache[key] = result
    return result


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
    lang = _shaping_lang(block.style.lang)
    d = ImageDraw.Draw(image)
    for line in block.lines:
        for run in line.runs:
            rx = x + line.x + run.x
            ry = y + line.baseline
            if stack.is_color(run.font_index):
                if not run.text.strip():
                    continue
                img, ox, oy = _emoji_image(stack, run.font_index, run.text, block.size)
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
