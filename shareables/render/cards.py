"""What goes on each card: fitted text blocks and drawn marks, placed by the layout.

One ``plan_*`` function per kind (and carousel cover) turns a variant into ``Placed`` text
blocks and ``Mark`` elements (quote mark, rule, logo, swipe cue) at final positions. Nothing
is drawn here: render.py measures contrast behind every placed block, then draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import text as T
from ..errors import MissingGlyphError, RenderError
from ..platforms import Platform
from ..project.model import Variant
from ..text.fonts import FontStack
from . import geometry as L

if TYPE_CHECKING:
    from .resources import Resources

FIELDS = {
    "name": "attribution.name", "role": "attribution.role", "credit": "background.credit",
    "prompt": "text", "lead": "text", "counter": "slides",
}
"""Text roles on a card -> the design field they come from (for error messages)."""

CALL_TO_SHARE = {"en": "Download and share \u2014 tag us"}
"""Default calls to share by language; add a language here once its wording is vetted."""


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
           bold: bool = False, direction: str | None = "variant", lines: int = 1) -> Placed:
    """A label fitted to ``box``: shrinks towards the floor before it wraps, and takes at
    most ``lines`` lines.

    ``direction`` "ltr" is for Latin handles and counters: in an RTL paragraph "@madrespeaks"
    would otherwise become "madrespeaks@" (the bidi algorithm gives the leading "@" the
    paragraph's direction). Alignment stays physical: start-aligned means the RTL start side.
    """
    st = ctx.style(stack, size, min_size or ctx.lay.floor, align=align, line_height=1.2)
    if direction != "variant":
        physical = align
        if ctx.direction == "rtl" and align in ("start", "end"):
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


def footer(ctx: Ctx, lay: L.Layout) -> tuple[list[Placed], list[Mark]]:
    placed, marks = [], []
    v = ctx.v
    if v.handle and "handle" in lay.boxes:
        placed.append(label(ctx, v.handle, ctx.body, lay.sizes["handle"], lay.boxes["handle"],
                             "handle", ctx.fg, align="start", direction="ltr"))
    if v.logo and "logo" in lay.boxes:
        marks.append(("logo", lay.boxes["logo"]))
    return placed, marks


def _attribution(ctx: Ctx, lay: L.Layout, box: L.Box) -> list[Placed]:
    """Name (accent, heading face) over role (text colour, body face), one line each."""
    a = ctx.v.attribution
    if a is None:
        return []
    s = lay.sizes
    out = [label(ctx, a.name, ctx.heading, s["name"], L.Box(box.x, 0, box.w, s["name"]), "name",
                 ctx.accent, align="start", bold=True, lines=2)]
    if a.role:  # roles can be long ("Founder and Director of …"): two lines before failing
        out.append(label(ctx, a.role, ctx.body, s["role"], L.Box(box.x, 0, box.w, s["role"]),
                         "role", ctx.fg, align="start", lines=2))
    return out


def plan_quote(ctx: Ctx) -> tuple[list[Placed], list[Mark]]:
    lay, s, v = ctx.lay, ctx.lay.sizes, ctx.v
    main, tbox = lay.boxes["main"], lay.boxes["text"]
    attr = _attribution(ctx, lay, tbox)
    attr_h = sum(p.block.height for p in attr) + (s["gap_s"] // 2) * max(0, len(attr) - 1)
    rule = s["rule_h"] + s["gap_s"] if attr else 0
    above = lay.mark_mode == "above"
    mark_h = s["mark"]
    after = attr_h + rule + s["gap_m"] if attr else 0
    # the card draws its own quote mark: a text typed in quotes is not quoted twice
    spans = ctx.spans(T.unquote(v.text or ""), v.highlight)
    st = ctx.style(ctx.heading, s["text_max"], line_height=1.22)
    block = ctx.fit(spans, st, tbox.w, main.h - after - (mark_h + s["gap_m"] if above else 0),
                    "text")
    bold = True
    if block.size < s["display_min"]:
        # A long quote: the regular body face reads far better than bold display type at
        # this size, and a smaller mark keeps its proportion to the text (and frees a line).
        mark_h = round(s["mark"] * 0.7)
        st = ctx.style(ctx.body, s["text_max"], line_height=1.3)
        block = ctx.fit(spans, st, tbox.w,
                        main.h - after - (mark_h + s["gap_m"] if above else 0), "text")
        bold = False

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
    f_placed, f_marks = footer(ctx, lay)
    return placed + f_placed, marks + f_marks


def _start_x(ctx: Ctx, box: L.Box, w: int) -> int:
    return box.right - w if ctx.direction == "rtl" else box.x


def plan_statement(ctx: Ctx, *, title_role: str = "title") -> tuple[list[Placed], list[Mark]]:
    lay, s, v = ctx.lay, ctx.lay.sizes, ctx.v
    main, tbox = lay.boxes["main"], lay.boxes["text"]
    head: list[Placed] = []
    if v.title:
        st = ctx.style(ctx.heading, s["title_max"], line_height=1.15)
        tb = ctx.fit(ctx.spans(v.title), st, tbox.w, main.h // 3, "title")
        head.append(Placed(tb, tbox.x, 0, title_role, ctx.accent, False, body=True, bold=True))
    if v.date:
        head.append(label(ctx, v.date, ctx.body, s["date"], L.Box(tbox.x, 0, tbox.w, s["date"]),
                           "date", ctx.fg, align="start"))
    head_h = sum(p.block.height for p in head) + s["gap_s"] * max(0, len(head) - 1)
    used = head_h + s["gap_m"] + s["rule_h"] + s["gap_m"]
    spans = ctx.spans(v.text or "", v.highlight)
    st = ctx.style(ctx.body, s["text_max"], line_height=1.3)
    block = ctx.fit(spans, st, tbox.w, main.h - used, "text")
    heights = [p.block.height for p in head] + [s["rule_h"], block.height]
    gaps = [s["gap_s"]] * max(0, len(head) - 1) + ([s["gap_m"]] if head else []) + [s["gap_m"]]
    ys = L.stack(main.y, main.bottom, heights, gaps, lay.valign)
    for p, y in zip(head, ys, strict=False):
        p.y = y
    marks: list[Mark] = [("rule", L.Box(_start_x(ctx, tbox, s["rule_w"]), ys[len(head)],
                                          s["rule_w"], s["rule_h"]))]
    placed = head + [Placed(block, tbox.x, ys[-1], "text", ctx.fg, has_accent(spans),
                             body=True)]
    f_placed, f_marks = footer(ctx, lay)
    return placed + f_placed, marks + f_marks


def _split_prompt(prompt: str) -> tuple[str, str | None]:
    """'Download and share — tag us' -> ('Download and share', 'tag us'): the first part is
    set large, the second leads into the handle."""
    for sep in (" \u2014 ", " \u2013 ", " - ", ": "):
        if sep in prompt:
            a, b = prompt.split(sep, 1)
            if a.strip() and b.strip():
                return a.strip(), b.strip()
    return prompt, None


def call_to_share(lang: str) -> str | None:
    """The default call to share in ``lang``, or None where we have no vetted wording.

    Without one, the card is built from the handle alone (language-neutral) rather than
    putting English words on, say, an Arabic carousel.
    """
    return CALL_TO_SHARE.get(lang.split("-")[0].lower())


def plan_tag(ctx: Ctx, lay: L.Layout, *, use_text: bool = True
             ) -> tuple[list[Placed], list[Mark]]:
    """Call to share, centred: the prompt large, an accent rule, a short lead-in, the handle as
    the hero in the accent colour. ``use_text`` False (a carousel's closing slide) ignores the
    variant's text, which is the carousel body there."""
    s, v = lay.sizes, ctx.v
    main = lay.boxes["main"]
    prompt = (v.text if use_text else None) or call_to_share(v.lang)
    if prompt and v.handle and v.handle in prompt:
        prompt = prompt.replace(v.handle, "").strip(" \u2014-:") or None
    kicker, lead = _split_prompt(prompt) if prompt else (None, None)
    if not v.handle:
        lead = None  # "tag us" leads into the handle; without one it dangles
    if not kicker and not v.handle:
        # Nothing to say in this language and no handle: sign off with the wordmark, large.
        if not v.logo:
            return [], []
        h = 2 * s["logo"]
        return [], [("logo-hero", L.Box(main.x, main.y + (main.h - h) // 2, main.w, h))]
    hero = s["handle_hero"]
    items: list[Placed] = []
    heights: list[int] = []
    gaps: list[int] = []
    hero_item = lead_item = None
    reserve = s["rule_h"] + 2 * s["gap_m"]
    if v.handle:
        hero_item = label(ctx, v.handle, ctx.heading, hero,
                          L.Box(main.x, 0, main.w, round(hero * 1.4)), "handle", ctx.accent,
                          align="center", bold=True, direction="ltr")
        reserve += hero_item.block.height
    if lead:
        lead_item = label(ctx, lead, ctx.body, s["lead"],
                          L.Box(main.x, 0, main.w, round(s["lead"] * 1.4)), "lead", ctx.fg,
                          align="center")
        reserve += lead_item.block.height + s["gap_s"]
    if kicker:
        spans = ctx.spans(kicker, v.highlight)
        st = ctx.style(ctx.heading, s["text_max"], align="center", line_height=1.15)
        block = ctx.fit(spans, st, main.w, main.h - reserve, "text")
        items.append(Placed(block, main.x, 0, "prompt", ctx.fg, has_accent(spans), body=True,
                            bold=True))
        heights.append(block.height)
        gaps.append(s["gap_m"])
    # The accent rule separates the prompt from what it leads to; alone it would dangle.
    rule_index = len(heights) if (lead_item or hero_item) else None
    if rule_index is not None:
        heights.append(s["rule_h"])
        gaps.append(s["gap_m"])
    for it in (lead_item, hero_item):
        if it is not None:
            items.append(it)
            heights.append(it.block.height)
            gaps.append(s["gap_s"])
    gaps = gaps[: len(heights) - 1]
    ys = L.stack(main.y, main.bottom, heights, gaps, "center")
    text_ys = ys if rule_index is None else ys[:rule_index] + ys[rule_index + 1:]
    for p, y in zip(items, text_ys, strict=True):
        p.y = y
    marks: list[Mark] = []
    if rule_index is not None:
        marks.append(("rule", L.Box(main.x + (main.w - s["rule_w"]) // 2, ys[rule_index],
                                    s["rule_w"], s["rule_h"])))
    if v.logo and "logo" in lay.boxes and lay.kind == "tag":
        marks.append(("logo-center", lay.boxes["logo"]))
    return items, marks


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
    f_placed, f_marks = footer(ctx, lay)
    return items + f_placed, marks + f_marks


def fit_common(ctx: Ctx, texts: list[list[T.Span]], st: T.TextStyle,
                box: L.Box) -> list[T.TextBlock]:
    """Explicit slides: one size for all, the largest at which every slide fits."""
    size = st.max_size
    for i, sp in enumerate(texts):
        b = ctx.fit(sp, st, box.w, box.h, f"slides[{i}]")
        size = min(size, b.size)
    common = T.TextStyle(st.fonts, max_size=size, min_size=size, line_height=st.line_height,
                         lang=st.lang, direction=st.direction, align=st.align)
    return [ctx.fit(sp, common, box.w, box.h, f"slides[{i}]") for i, sp in enumerate(texts)]


def split_content(ctx: Ctx, text: str, st: T.TextStyle, box: L.Box,
           max_slides: int | None) -> list[T.TextBlock]:
    """Content slides for ``text``; ``max_slides`` (the platform's limit less cover and
    closing) lets the splitter pack tighter, down to the floor, before we report the count."""
    from . import carousel

    try:
        sp = carousel.split_text(text, st, box.w, box.h, highlight=ctx.v.highlight,
                                 max_slides=max_slides)
    except T.TextDoesNotFit as exc:
        raise RenderError(
            f"{ctx.p.id}: a word does not fit a slide at the legibility floor",
            file=ctx.v.source, field="text", hint=exc.hint,
        ) from exc
    return list(sp.blocks)


