"""What goes on each card: fitted text blocks and drawn marks, placed by the layout.

One ``plan_*`` function per kind (and carousel cover) turns a variant into ``Placed`` text
blocks and ``Mark`` elements (quote mark, rule, logo, swipe cue) at final positions. Nothing
is drawn here: render.py measures contrast behind every placed block, then draws.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import text as T
from ..errors import MissingGlyphError, RenderError
from ..platforms import Platform
from ..project.model import Variant
from ..text.fonts import FontStack
from . import geometry as L
from .phrasing import phrase_fit

if TYPE_CHECKING:
    from .resources import Resources

FIELDS = {
    "name": "attribution.name", "role": "attribution.role", "credit": "background.credit",
    "prompt": "text", "lead": "text", "counter": "slides",
}
"""Text roles on a card -> the design field they come from (for error messages)."""

class Ctx:
    """Everything one slide's drawing needs, to keep helper signatures short."""

    def __init__(self, variant: Variant, platform: Platform, res: Resources, lay: L.Layout):
        self.v = variant
        self.p = platform
        self.res = res
        self.lay = lay
        th = variant.theme
        fonts = th.fonts.for_lang(variant.lang)  # language-specific faces first (ur: Nastaliq)
        self.heading = res.stack(fonts.heading)
        self.body = res.stack(fonts.body)
        self.fg = th.colors.text
        self.accent = th.colors.accent
        self.direction = variant.direction
        self.lang = variant.lang

    def style(self, stack: FontStack, max_size: int, min_size: int | None = None,
              align: str | None = None, line_height: float = 1.25) -> T.TextStyle:
        return T.TextStyle(
            stack, max_size=max_size, min_size=min(max_size, min_size or self.lay.floor),
            line_height=line_height, lang=self.lang, direction=self.direction,
            align=align or self.lay.align,
        )

    def spans(self, text: str, highlight: Sequence[str] = ()) -> list[T.Span]:
        return list(T.parse_markup(T.smart_typography(text, self.lang), highlight))

    def fit(self, spans: Sequence[T.Span] | str, style: T.TextStyle, w: int, h: int,
            role: str) -> T.TextBlock:
        """The largest block that fits, as text.fit; errors name the design field.

        Characters no font in the stack can draw are an error here, never a tofu box.
        """
        field_name = FIELDS.get(role.split("[")[0], role)
        if role.startswith("slides["):
            field_name = role
        try:
            return T.fit(spans, style, w, h)
        except MissingGlyphError as exc:
            # text.fit checks coverage once per distinct text (cached); here it only gains
            # the design field, so the check is not repeated on every fit.
            plain = spans if isinstance(spans, str) else "".join(sp.text for sp in spans)
            chars = " ".join(f"{c!r} (U+{ord(c):04X})" for c in style.fonts.missing(plain)[:5])
            raise MissingGlyphError(
                f"no font in the list can draw {chars}" if chars else exc.message,
                file=self.v.source, field=field_name,
                hint="remove the characters or add a font that has them to the theme's fonts",
            ) from exc
        except T.TextDoesNotFit as exc:
            raise RenderError(
                f"{self.p.id}: the {role} does not fit at the legibility floor "
                f"({exc.min_size} px)",
                file=self.v.source, field=field_name,
                hint=f"cut about {exc.needed_chars_to_cut} characters",
            ) from exc


@dataclass
class Placed:
    """A fitted block and where it goes."""

    block: T.TextBlock
    x: int
    y: int
    role: str
    fill: str
    accent: bool  # has accent spans (so the accent colour must pass contrast too)
    body: bool = False
    bold: bool = False

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.x + self.block.width, self.y + self.block.height)


def has_accent(spans: Sequence[T.Span] | str) -> bool:
    return not isinstance(spans, str) and any(s.accent for s in spans)


def label(ctx: Ctx, text: str, stack: FontStack, size: int, box: L.Box, role: str,
           fill: str, *, align: str | None = None, min_size: int | None = None,
           bold: bool = False, direction: str | None = "variant", lines: int = 1,
           own_align: bool = False) -> Placed:
    """A label fitted to ``box``: shrinks towards the floor before it wraps, and takes at
    most ``lines`` lines.

    ``direction`` "ltr" is for Latin handles and counters: in an RTL paragraph "@madrespeaks"
    would otherwise become "madrespeaks@" (the bidi algorithm gives the leading "@" the
    paragraph's direction). Alignment stays physical: start-aligned means the RTL start side.
    ``own_align``: ``align`` is meant in the label text's own direction (a photo credit that
    must reach one corner whatever its script), so it is not flipped for RTL variants.
    """
    st = ctx.style(stack, size, min_size or ctx.lay.floor, align=align, line_height=1.2)
    if direction != "variant":
        physical = align
        if ctx.direction == "rtl" and align in ("start", "end") and not own_align:
            physical = "end" if align == "start" else "start"
        st = T.TextStyle(st.fonts, max_size=st.max_size, min_size=st.min_size,
                         line_height=st.line_height, lang="und" if direction is None else "en",
                         direction=direction, align=physical or "start")
    # One line of any script (Naskh is tall) is under 2.2 em; each further line adds a leading.
    h = max(box.h, round(size * (2.2 + 1.45 * (lines - 1))))
    if direction == "variant":  # names, roles, dates, credits: curly apostrophes and dashes too
        text = T.smart_typography(text, ctx.lang)
    block = ctx.fit(text, st, box.w, h, role)
    y = box.y + (box.h - block.height) // 2
    return Placed(block, box.x, y, role, fill, False, bold=bold)


Mark = tuple[str, L.Box]
"""A non-text element drawn over the background: ("quote" | "rule" | "logo" | "logo-center" |
"logo-hero" | "cue", box)."""


def center_on_ink(lay: L.Layout, main: L.Box, items: list[Placed], marks: list[Mark]
                  ) -> list[Mark]:
    """Re-centre a stacked, centred group on its ink rather than its line boxes (a Naskh
    line box carries a deep descent; a line without descenders leaves its descent empty):
    the optical centre the eye sees. Moves the items in place; returns the moved marks."""
    if lay.valign != "center" or not items:
        return marks
    tops = [p.y + p.block.ink[1] for p in items] + [b.y for _, b in marks]
    bottoms = [p.y + p.block.ink[3] for p in items] + [b.bottom for _, b in marks]
    top, bottom = min(tops), max(bottoms)
    free = main.h - (bottom - top)
    if free <= 0:
        return marks
    delta = main.y + round(free / 2 - free * 0.04) - top
    delta = max(main.y - min(p.y for p in items),
                min(delta, main.bottom - max(p.y + p.block.height for p in items)))
    for p in items:
        p.y += delta
    return [(k, L.Box(b.x, b.y + delta, b.w, b.h)) for k, b in marks]


def footer(ctx: Ctx, lay: L.Layout) -> tuple[list[Placed], list[Mark]]:
    placed, marks = [], []
    v = ctx.v
    if v.handle and "handle" in lay.boxes:
        placed.append(label(ctx, v.handle, ctx.body, lay.sizes["handle"], lay.boxes["handle"],
                             "handle", ctx.fg, align="start", direction="ltr"))
    if v.logo and "logo" in lay.boxes:
        marks.append(("logo", lay.boxes["logo"]))
    return placed, marks


LONG_QUOTE_CHARS = 280
"""A quote longer than this is set in the regular body face on every platform (a bold display
face turns it into a dense wall); shorter ones in the bold heading face. Decided by the text,
never by the platform, so one design keeps one face everywhere."""
DISPLAY_STATEMENT_CHARS = 60
"""An untitled statement this short is display type: the bold heading face, like a slogan."""
TITLE_RATIO = 1.2
"""A statement's title is at least this many times its body size (the body is capped)."""


def _plain(spans: Sequence[T.Span] | str) -> str:
    return spans if isinstance(spans, str) else "".join(sp.text for sp in spans)


def _attr_sizes(lay: L.Layout, text_size: int) -> tuple[int, int]:
    """(name, role) sizes in a fixed ratio to the quote: 0.42 and 0.34 of it, within the
    layout's secondary sizes and never under the floor."""
    s = lay.sizes
    name = min(max(s["name"], round(text_size * 0.42)), round(s["name"] * 1.6))
    role = max(lay.floor, min(max(s["role"], round(text_size * 0.34)), round(name * 0.82)))
    return name, role


def _attribution(ctx: Ctx, lay: L.Layout, box: L.Box, text_size: int) -> list[Placed]:
    """Name (accent, heading face) over role (text colour, body face), one line each."""
    a = ctx.v.attribution
    if a is None:
        return []
    name_px, role_px = _attr_sizes(lay, text_size)
    out = [label(ctx, a.name, ctx.heading, name_px, L.Box(box.x, 0, box.w, name_px), "name",
                 ctx.accent, align="start", bold=True, lines=2)]
    if a.role:  # roles can be long ("Founder and Director of …"): two lines before failing
        out.append(label(ctx, a.role, ctx.body, role_px, L.Box(box.x, 0, box.w, role_px),
                         "role", ctx.fg, align="start", lines=2))
    return out


def plan_quote(ctx: Ctx) -> tuple[list[Placed], list[Mark]]:
    lay, s, v = ctx.lay, ctx.lay.sizes, ctx.v
    main, tbox = lay.boxes["main"], lay.boxes["text"]
    above = lay.mark_mode == "above"
    # the card draws its own quote mark: a text typed in quotes is not quoted twice
    spans = ctx.spans(T.unquote(v.text or ""), v.highlight)
    bold = len(_plain(spans)) <= LONG_QUOTE_CHARS
    stack, lh = (ctx.heading, 1.16) if bold else (ctx.body, 1.3)
    mark_h = s["mark"] if bold else round(s["mark"] * 0.7)
    st = ctx.style(stack, s["text_max"], line_height=lh)
    # Two passes: the attribution's size follows the text's, which depends on its room.
    attr = _attribution(ctx, lay, tbox, s["text_max"] // 2)
    for _ in range(2):
        attr_h = sum(p.block.height for p in attr) + (s["gap_s"] // 2) * max(0, len(attr) - 1)
        after = attr_h + s["rule_h"] + s["gap_s"] + s["gap_m"] if attr else 0
        block = phrase_fit(ctx.fit, spans, st, tbox.w,
                           main.h - after - (mark_h + s["gap_m"] if above else 0), "text")
        new_attr = _attribution(ctx, lay, tbox, block.size)
        if [p.block.size for p in new_attr] == [p.block.size for p in attr]:
            break
        attr = new_attr

    heights: list[int] = []
    gaps: list[int] = []
    if above:
        heights.append(mark_h)
        gaps.append(s["gap_m"])
    heights.append(block.height)
    if attr:
        gaps.append(s["gap_m"])
        heights.append(s["rule_h"])
        gaps.append(s["gap_s"])
        for i, p in enumerate(attr):
            heights.append(p.block.height)
            if i < len(attr) - 1:
                gaps.append(s["gap_s"] // 2)
    ys = L.stack(main.y, main.bottom, heights, gaps, lay.valign)
    it = iter(ys)
    marks: list[Mark] = []
    mb = lay.boxes["mark"]
    if above:
        marks.append(("quote", L.Box(mb.x, next(it), mb.w, mark_h)))
    ty = next(it)
    if not above:
        # Hanging: the mark's top sits on the first line's cap height, optically.
        marks.append(("quote", L.Box(mb.x, ty + round(block.size * 0.12), mb.w, mark_h)))
    placed = [Placed(block, tbox.x, ty, "text", ctx.fg, has_accent(spans), body=True,
                      bold=bold)]
    if attr:
        marks.append(("rule", L.Box(_start_x(ctx, tbox, s["rule_w"]), next(it), s["rule_w"],
                                    s["rule_h"])))
        for p in attr:
            p.y = next(it)
            placed.append(p)
    marks = center_on_ink(lay, main, placed, marks)
    f_placed, f_marks = footer(ctx, lay)
    return placed + f_placed, marks + f_marks


def _start_x(ctx: Ctx, box: L.Box, w: int) -> int:
    return box.right - w if ctx.direction == "rtl" else box.x


def plan_statement(ctx: Ctx, *, title_role: str = "title") -> tuple[list[Placed], list[Mark]]:
    """Title (accent), date, rule, text. The title keeps TITLE_RATIO over the body, and gives
    way (steps down) before the body would fall under the floor."""
    lay, s, v = ctx.lay, ctx.lay.sizes, ctx.v
    main, tbox = lay.boxes["main"], lay.boxes["text"]
    spans = ctx.spans(v.text or "", v.highlight)
    display = not v.title and len(_plain(spans)) <= DISPLAY_STATEMENT_CHARS
    title_cap = s["title_max"]
    while True:
        head: list[Placed] = []
        if v.title:
            st = ctx.style(ctx.heading, title_cap, line_height=1.12)
            tb = ctx.fit(ctx.spans(v.title), st, tbox.w, main.h // 3, "title")
            head.append(Placed(tb, tbox.x, 0, title_role, ctx.accent, False, body=True,
                               bold=True))
        if v.date:
            head.append(label(ctx, v.date, ctx.body, s["date"],
                              L.Box(tbox.x, 0, tbox.w, s["date"]), "date", ctx.fg,
                              align="start"))
        head_h = sum(p.block.height for p in head) + s["gap_s"] * max(0, len(head) - 1)
        used = head_h + s["gap_m"] + s["rule_h"] + s["gap_m"]
        cap = s["text_max"]
        if v.title:
            cap = max(lay.floor, min(cap, math.floor(head[0].block.size / TITLE_RATIO)))
        if display:
            st = ctx.style(ctx.heading, cap, line_height=1.12)
        else:
            st = ctx.style(ctx.body, cap, line_height=1.3)
        try:
            block = phrase_fit(ctx.fit, spans, st, tbox.w, main.h - used, "text")
            break
        except RenderError:
            if not v.title or title_cap <= lay.floor:
                raise
            title_cap = max(lay.floor, math.floor(head[0].block.size * 0.9))
    heights = [p.block.height for p in head] + [s["rule_h"], block.height]
    gaps = [s["gap_s"]] * max(0, len(head) - 1) + ([s["gap_m"]] if head else []) + [s["gap_m"]]
    ys = L.stack(main.y, main.bottom, heights, gaps, lay.valign)
    for p, y in zip(head, ys, strict=False):
        p.y = y
    marks: list[Mark] = [("rule", L.Box(_start_x(ctx, tbox, s["rule_w"]), ys[len(head)],
                                          s["rule_w"], s["rule_h"]))]
    placed = head + [Placed(block, tbox.x, ys[-1], "text", ctx.fg, has_accent(spans),
                             body=True, bold=display)]
    marks = center_on_ink(lay, main, placed, marks)
    f_placed, f_marks = footer(ctx, lay)
    return placed + f_placed, marks + f_marks


def plan_cover(ctx: Ctx) -> tuple[list[Placed], list[Mark]]:
    """Cover: accent rule, the title as the hero, the date under it."""
    lay, s, v = ctx.lay, ctx.lay.sizes, ctx.v
    main, tbox = lay.boxes["main"], lay.boxes["text"]
    st = ctx.style(ctx.heading, s["title_max"], line_height=1.12)
    extra = (round(s["date"] * 1.45) + s["gap_m"]) if v.date else 0
    tb = ctx.fit(ctx.spans(v.title or ""), st, tbox.w,
                 main.h - s["rule_h"] - s["gap_m"] - extra, "title")
    items = [Placed(tb, tbox.x, 0, "title", ctx.fg, False, body=True, bold=True)]
    heights = [s["rule_h"], tb.height]
    gaps = [s["gap_m"]]
    if v.date:
        d = label(ctx, v.date, ctx.body, s["date"], L.Box(tbox.x, 0, tbox.w, s["date"]), "date",
                   ctx.accent, align="start")
        items.append(d)
        heights.append(d.block.height)
        gaps.append(s["gap_m"])
    ys = L.stack(main.y, main.bottom, heights, gaps, "center")
    for p, y in zip(items, ys[1:], strict=False):
        p.y = y
    marks: list[Mark] = [("rule", L.Box(_start_x(ctx, tbox, s["rule_w"]), ys[0], s["rule_w"],
                                          s["rule_h"]))]
    marks = center_on_ink(lay, main, items, marks)
    f_placed, f_marks = footer(ctx, lay)
    return items + f_placed, marks + f_marks
