"""Drawing: backgrounds, logo, chrome and fitted text blocks -> PIL images, one per slide.

The geometry comes from layout.py and the typography from text.py; this module decides
colours, draws, and checks what it drew: every text item records its ink box, type size and the
WCAG contrast measured against the pixels actually behind it (tests and `validate` read these
from :func:`render_slides`). Photo overlays are strengthened until text passes AA; a flat or
gradient background that fails is an error with the measured ratio.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from .. import text as T
from ..errors import RenderError
from ..platforms import Platform
from ..project.model import Variant
from ..text.block import TextBlock
from ..text.typography import quote_marks
from . import backdrop as B
from . import geometry as L
from . import paint as P
from .cards import (
    Ctx,
    Mark,
    Placed,
    center_on_ink,
    footer,
    label,
    plan_cover,
    plan_quote,
    plan_statement,
)
from .closing import plan_tag
from .resources import Resources
from .sequence import content_blocks
from .textpaint import draw as draw_block

RENDERER_VERSION = "render-1"
"""Part of every artefact's cache key: bump when output pixels change on purpose."""

MAX_OVERLAY = 0.92
_LAYERS: ContextVar[bool] = ContextVar("shareables_layers", default=False)


# --- results ---------------------------------------------------------------------------------


@dataclass
class TextItem:
    """One piece of text as drawn: for tests, validation and the debug overlay."""

    role: str  # text | title | date | name | role | handle | credit | counter | prompt
    size: int
    box: tuple[int, int, int, int]  # the region it was placed in (l, t, r, b)
    ink: tuple[int, int, int, int] = (0, 0, 0, 0)
    contrast: float = 21.0  # worst of its colours against the pixels behind
    required: float = P.AA_NORMAL
    body: bool = False  # subject to the legibility floor
    bold: bool = False  # set in the (bold) heading face
    # Where and how it was drawn (motion redraws and masks it; see shareables.motion):
    block: TextBlock | None = None
    origin: tuple[int, int] = (0, 0)
    fill: str = ""
    accent_fill: str = ""


@dataclass
class Slide:
    """One rendered image plus what the checks need to know about it."""

    image: Image.Image
    role: str  # single | cover | content | closing
    layout: L.Layout
    items: list[TextItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    overlay: float | None = None
    # With render_slides(layers=True): the background alone, the background with the marks
    # (quote mark, rule, logo, cue) but no text, and a function drawing those marks onto
    # another background of the same size (motion's moving photo).
    backdrop: Image.Image | None = None
    base: Image.Image | None = None
    paint_marks: Callable[[Image.Image], None] | None = None
    text: str = ""  # the slide's main text (what its alt text says)
    marks: list[tuple[str, L.Box]] = field(default_factory=list)  # drawn elements, as drawn


# --- the slides ------------------------------------------------------------------------------


def render_variant(variant: Variant, platform: Platform, res: Resources, *,
                   debug: bool = False) -> list[Image.Image]:
    """Render one variant for one platform: one image, or every slide of a carousel.

    Notes for the build output (overlay strengthened, …) are in ``image.info["shareables"]``.
    Raises RenderError naming the design file, field and platform.
    """
    slides = render_slides(variant, platform, res, debug=debug)
    out = []
    for s in slides:
        s.image.info["shareables"] = {"notes": list(s.notes), "role": s.role, "text": s.text}
        out.append(s.image)
    return out


def render_slides(variant: Variant, platform: Platform, res: Resources, *,
                  debug: bool = False, layers: bool = False) -> list[Slide]:
    """Like render_variant, with each slide's text items, sizes and measured contrast.

    ``layers``: also keep each slide's backdrop and base images (see `Slide`) for motion.
    """
    if layers:
        token = _LAYERS.set(True)
        try:
            return render_slides(variant, platform, res, debug=debug)
        finally:
            _LAYERS.reset(token)
    if variant.kind == "carousel":
        return _render_carousel(variant, platform, res, debug)
    bg = variant.background
    calm = B.calm_side(variant, platform, res) if bg.image is not None else None
    lay = L.layout_for(variant.kind, platform, direction=variant.direction,
                       credit=bool(bg.image is not None and bg.credit), calm=calm)
    ctx = Ctx(variant, platform, res, lay)
    if variant.kind == "quote":
        placed, marks = plan_quote(ctx)
    elif variant.kind == "statement":
        placed, marks = plan_statement(ctx)
    elif variant.kind == "tag":
        placed, marks = plan_tag(ctx, lay)
    else:
        raise RenderError(f"unknown kind {variant.kind!r}", file=variant.source, field="kind")
    return [_compose(ctx, lay, "single", placed, marks, debug)]


def _render_carousel(variant: Variant, platform: Platform, res: Resources,
                     debug: bool) -> list[Slide]:
    v = variant
    content_lay = L.layout_for("carousel", platform, direction=v.direction, slide_role="content")
    ctx = Ctx(v, platform, res, content_lay)
    main = content_lay.boxes["main"]
    limit = platform.max_pages if platform.document else platform.carousel_limit
    seq = content_blocks(ctx, limit)
    blocks, closing = seq.blocks, seq.closing
    cover = 1 if v.title else 0
    total = len(blocks) + cover + (1 if closing else 0)
    single = limit is None and L.aspect_class(*platform.size) != "story"
    if single:
        # A single-image platform (a link preview): the cover, or the first slide without
        # one, stands for the carousel. Stories take a sequence of frames, so they get all.
        total = 1
    elif limit is not None and total > limit:
        raise RenderError(
            f"{platform.id} takes at most {limit} images in one post; this carousel needs "
            f"{total} slides",
            file=v.source, field="slides" if v.slides else "text",
            hint=f"shorten the text or leave {platform.id} out of this design's platforms",
        )
    slides: list[Slide] = []
    n = 1
    if v.title:
        lay = L.layout_for("carousel", platform, direction=v.direction, slide_role="cover")
        cctx = Ctx(v, platform, res, lay)
        placed, marks = plan_cover(cctx)
        slides.append(_compose(cctx, lay, "cover", placed, marks, debug, n, total))
        if total == 1:
            return slides
        n += 1
    for block in blocks:
        accent = any(r.accent for ln in block.lines for r in ln.runs)
        # The optical centre of the content box: slides of one carousel share a size and
        # a similar fill, so their text sits at nearly the same height.
        (y,) = L.stack(main.y, main.bottom, [block.height], [], "center")
        placed = [Placed(block, main.x, y, "text", ctx.fg, accent, body=True, bold=seq.bold)]
        center_on_ink(content_lay, main, placed, [])
        f_placed, f_marks = footer(ctx, content_lay)
        slides.append(_compose(ctx, content_lay, "content", placed + f_placed, f_marks, debug,
                               n, total))
        if single:
            return slides
        n += 1
    if closing:
        lay = L.layout_for("carousel", platform, direction=v.direction, slide_role="closing")
        cctx = Ctx(v, platform, res, lay)
        placed, marks = plan_tag(cctx, lay, closing=True)
        slides.append(_compose(cctx, lay, "closing", placed, marks, debug, n, total))
    if seq.note and slides:
        slides[0].notes.append(f"{platform.id}: {seq.note}")
    return slides


# --- composition -----------------------------------------------------------------------------


def _measure(img: Image.Image, p: Placed, accent: str, W: int,
             flat: str | None = None) -> tuple[float, float]:
    """(worst contrast of the item's colours against the pixels behind it, required ratio).

    ``flat``: the background is this one colour, so every pixel behind is known without
    reading any (a quarter of a flat card's render time otherwise).
    """
    colors = [p.fill] + ([accent] if p.accent else [])
    worst = 21.0
    for c in colors:
        lt = P.luminance(P.rgb(c))
        lb = P.luminance(P.rgb(flat)) if flat else P.region_luminance(img, p.box, lt)
        worst = min(worst, P.contrast(lt, lb))
    req = P.AA_LARGE if P.is_large(p.block.size, W, p.bold) else P.AA_NORMAL
    return worst, req


def _compose(ctx: Ctx, lay: L.Layout, role: str, placed: list[Placed], marks: list[Mark],
             debug: bool, n: int | None = None, total: int | None = None) -> Slide:
    v, s = ctx.v, lay.sizes
    W = ctx.p.width
    extra: list[Placed] = []
    more = n is not None and total is not None and n < total  # a next slide to swipe to
    if (n is not None and total is not None and total > 1 and role != "cover"
            and "counter" in lay.boxes):
        extra.append(label(ctx, f"{n}/{total}", ctx.body, s["counter"], lay.boxes["counter"],
                            "counter", ctx.fg, align="end", direction="ltr"))
    with_photo = v.background.image is not None and role in ("single", "cover")
    credit = v.background.credit if with_photo else None
    if credit and "credit" in lay.boxes:
        # One corner per layout (top end, mirrored with it), whatever the credit's script:
        # align towards that corner in the credit's own direction.
        cb = lay.boxes["credit"]
        own_rtl = T.base_direction(credit, None) == "rtl"
        towards_right = ctx.direction == "ltr"
        align = "end" if towards_right != own_rtl else "start"
        extra.append(label(ctx, credit, ctx.body, s["credit"], cb, "credit", ctx.fg,
                            align=align, min_size=s["credit"], direction=None,
                            own_align=True))
    placed = placed + extra
    if role in ("cover", "content") and more:
        marks = marks + [("cue", lay.boxes["cue"])]
    if (role in ("cover", "closing") and ctx.v.logo
            and not any(m[0] in ("logo", "logo-hero") for m in marks)):
        marks.append(("logo", lay.boxes["logo"]))

    img, photo, overlay = B.background(ctx, use_photo=role in ("single", "cover"))
    bg = v.background
    flat = None if (photo is not None or bg.gradient) else (
        bg.color or v.theme.colors.background)
    notes: list[str] = []
    measured = [_measure(img, p, ctx.accent, W, flat) for p in placed]
    if photo is not None and overlay is not None:
        start = overlay
        while any(c < r for c, r in measured) and overlay < MAX_OVERLAY:
            overlay = min(MAX_OVERLAY, round(overlay + 0.05, 2))
            img = B.veil(ctx, photo, overlay)
            measured = [_measure(img, p, ctx.accent, W) for p in placed]
        if overlay != start:
            notes.append(f"{ctx.p.id}: photo overlay strengthened from {start:.2f} to "
                         f"{overlay:.2f} for WCAG AA text contrast")
    for p, (c, r) in zip(placed, measured, strict=True):
        if c < r:
            raise RenderError(
                f"{ctx.p.id}: the {p.role} has a contrast of {c:.2f}:1 against its background, "
                f"under the WCAG AA minimum of {r:.1f}:1",
                file=v.source,
                field="background" if photo is not None else "theme",
                hint="use a darker overlay or background, or a lighter text/accent colour",
            )

    layers = _LAYERS.get()
    backdrop = img.copy() if layers else None
    draw = ImageDraw.Draw(img)
    logos = _baseline_logos(marks, placed, lay)
    drawn: list[tuple[str, L.Box]] = []
    for kind, box in logos:
        drawn.append((kind, _draw_mark(ctx, img, draw, kind, box)))
    base = img.copy() if layers else None
    items: list[TextItem] = []
    for p, (c, r) in zip(placed, measured, strict=True):
        ink = draw_block(img, p.block, p.x, p.y, p.fill, ctx.accent)
        items.append(TextItem(p.role, p.block.size, p.box, ink, c, r, p.body, p.bold,
                              p.block, (p.x, p.y), p.fill, ctx.accent))
    if debug:
        P.debug_overlay(img, lay, [(it.box, it.ink) for it in items])

    def paint_marks(target: Image.Image) -> None:
        d = ImageDraw.Draw(target)
        for kind, box in logos:
            _draw_mark(ctx, target, d, kind, box)

    text = "\n".join(p.block.text for p in placed if p.role in ("text", "title"))
    return Slide(img, role, lay, items, notes, overlay, backdrop, base,
                 paint_marks if layers else None, text=text, marks=drawn)


def _baseline_logos(marks: list[Mark], placed: list[Placed], lay: L.Layout) -> list[Mark]:
    """Sit the wordmark on the baseline of the label sharing its row (handle or counter).

    The wordmark's box is its cap height, so centring both on the row leaves the logo a few
    pixels below the text's baseline; a shared baseline is what the eye checks.
    """
    out = []
    for kind, box in marks:
        if kind == "logo":
            mid = box.y + box.h / 2
            partner = next((p for p in placed if p.role in ("handle", "counter")
                            and p.block.lines and abs(p.y + p.block.height / 2 - mid) < box.h),
                           None)
            if partner is not None:
                baseline = partner.y + round(partner.block.lines[0].baseline)
                # never above the safe area (a story's top 270 px belong to its UI)
                box = L.Box(box.x, max(lay.safe.y, baseline - box.h), box.w, box.h)
        out.append((kind, box))
    return out


def _draw_mark(ctx: Ctx, img: Image.Image, draw: ImageDraw.ImageDraw, kind: str,
               box: L.Box) -> L.Box:
    """Draw one element; returns the box it really covers (for the safe-area checks)."""
    if kind == "rule":
        draw.rectangle((box.x, box.y, box.right - 1, box.bottom - 1), fill=ctx.accent)
    elif kind == "quote":
        return _draw_quote_mark(ctx, img, box)
    elif kind in ("logo", "logo-center", "logo-hero"):
        logo = ctx.res.logo(ctx.v.logo, box.h, ctx.fg)  # type: ignore[arg-type]
        if logo.width > box.w:  # a very wide logo: rasterise again to fit the width
            h = max(1, box.h * box.w // logo.width)
            logo = ctx.res.logo(ctx.v.logo, h, ctx.fg)  # type: ignore[arg-type]
        if kind in ("logo-center", "logo-hero"):
            x = box.x + (box.w - logo.width) // 2
        else:
            x = box.right - logo.width if ctx.direction == "ltr" else box.x
            # In the carousel header the logo sits at the start side instead.
            if ctx.lay.kind == "carousel":
                x = box.x if ctx.direction == "ltr" else box.right - logo.width
        y = box.y + (box.h - logo.height) // 2
        img.paste(logo, (x, y), logo)
        return L.Box(x, y, logo.width, logo.height)
    elif kind == "cue":
        P.draw_arrow(draw, box, ctx.accent, ctx.direction == "rtl")
    return box


def _draw_quote_mark(ctx: Ctx, img: Image.Image, box: L.Box) -> L.Box:
    """The language's opening quote mark (“ en, „ de, « ar/fa/ps/ur) as a drawn element: sized
    by its ink, aligned by its ink edge.

    In right-to-left variants it sits at the right; a mark that bidi mirrors in text (« ») is
    drawn mirrored, exactly as it shows at the start of an RTL line.
    """
    glyph = quote_marks(ctx.lang)[0]
    # from the brand's heading faces, not a language's own (Nastaliq's « reads as "))")
    brand = ctx.res.stack(ctx.v.theme.fonts.heading)
    idx = next((i for i in range(len(brand.paths)) if brand.covers(i, glyph)), 0)
    path = brand.paths[idx]
    _, ratio = ctx.res.mark_metrics(path, glyph)
    size = max(8, round(box.h / ratio))
    layer = ctx.res.mark_layer(path, glyph, size)
    if ctx.direction == "rtl" and unicodedata.mirrored(glyph):
        layer = layer.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    x = box.right - layer.width if ctx.direction == "rtl" else box.x
    img.paste(Image.new("RGB", layer.size, P.rgb(ctx.accent)), (x, box.y), layer)
    return L.Box(x, box.y, layer.width, layer.height)


