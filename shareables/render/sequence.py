"""A carousel's content slides as one designed sequence, the same on every platform it can be.

Explicit ``slides:`` are set at one common size; short ones (every slide at most
``DISPLAY_SLIDE_CHARS``) as display type in the heading face, up to the layout's
``slide_max``. Automatic splits are made once, for the reference platform
(``REFERENCE``, the portrait feed most carousels are read in), and that same split is laid
out on every other platform whose slide limit allows the count, at the largest common size
its box takes. A platform keeps its own split only when it must: its limit forces fewer
slides (X and Bluesky take 4 images), or its box is so much shorter that the common split
would set the type under ``KEEP_SHARE`` of what its own split gives. The build notes say so.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import text as T
from ..errors import RenderError
from ..platforms import PLATFORMS
from . import geometry as L
from .cards import Ctx
from .carousel import Split, refit, split_text

REFERENCE = "instagram-portrait"
KEEP_SHARE = 0.85
DISPLAY_SLIDE_CHARS = 90


@dataclass
class Sequence:
    blocks: list[T.TextBlock]
    closing: bool  # the closing slide fits under the platform's limit
    bold: bool  # set in the heading face (short explicit slides)
    note: str | None = None  # for the build report: this platform's split differs


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


def _split(ctx: Ctx, st: T.TextStyle, box: L.Box, max_slides: int | None) -> Split:
    try:
        return split_text(ctx.v.text or "", st, box.w, box.h,
                                   highlight=ctx.v.highlight, max_slides=max_slides)
    except T.TextDoesNotFit as exc:
        raise RenderError(
            f"{ctx.p.id}: a word does not fit a slide at the legibility floor",
            file=ctx.v.source, field="text", hint=exc.hint,
        ) from exc


def _room(limit: int | None, cover: int, closing: bool) -> int | None:
    return None if limit is None else max(1, limit - cover - (1 if closing else 0))


_reference_cache: dict[tuple[object, ...], list[str]] = {}


def reference_slides(ctx: Ctx) -> list[str]:
    """The split of the variant's text on the reference platform (cached per text)."""
    v = ctx.v
    key = (v.text, v.highlight, v.lang, v.direction, v.theme.fonts.body, bool(v.title))
    hit = _reference_cache.get(key)
    if hit is not None:
        return hit
    p = PLATFORMS[REFERENCE]
    lay = L.layout_for("carousel", p, direction=v.direction, slide_role="content")
    rctx = Ctx(v, p, ctx.res, lay)
    st = rctx.style(rctx.body, lay.sizes["text_max"], line_height=1.3)
    out = _split(rctx, st, lay.boxes["main"], _room(p.carousel_limit, int(bool(v.title)), True))
    if len(_reference_cache) > 256:
        _reference_cache.clear()
    _reference_cache[key] = list(out.slides)
    return _reference_cache[key]


def content_blocks(ctx: Ctx, limit: int | None) -> Sequence:
    """The content slides for the platform in ``ctx``, whose carousel ``limit`` is given."""
    v, lay = ctx.v, ctx.lay
    s, box = lay.sizes, lay.boxes["main"]
    cover = 1 if v.title else 0
    if v.slides:
        bold = all(len(t) <= DISPLAY_SLIDE_CHARS for t in v.slides)
        st = (ctx.style(ctx.heading, s["slide_max"], line_height=1.16) if bold
              else ctx.style(ctx.body, s["text_max"], line_height=1.3))
        blocks = fit_common(ctx, [ctx.spans(t, v.highlight) for t in v.slides], st, box)
        closing = limit is None or len(blocks) + cover + 1 <= limit
        return Sequence(blocks, closing, bold)
    st = ctx.style(ctx.body, s["text_max"], line_height=1.3)
    closing = True
    own = _split(ctx, st, box, _room(limit, cover, True))
    if limit is not None and len(own.blocks) + cover + 1 > limit:
        # Tight platforms (X and Bluesky take 4 images): the closing call to share is the only
        # slide without content, and every content slide already carries the handle, so it
        # gives way first. Content itself is never dropped; too much is an error later.
        closing = False
        own = _split(ctx, st, box, _room(limit, cover, False))
    ref = reference_slides(ctx)
    if ref == own.slides:
        return Sequence(list(own.blocks), closing, False)
    room = _room(limit, cover, closing)
    why = None
    if room is not None and len(ref) > room:
        why = f"the platform takes {limit} images"
    else:
        common = refit(ref, st, box.w, box.h, highlight=v.highlight)
        if common is not None and common[0].size >= KEEP_SHARE * own.size:
            return Sequence(common, closing, False)
        why = "its box is too short for the common split at a readable size"
    note = None
    if len(own.slides) != len(ref):
        note = (f"{len(own.slides)} content slides instead of the {len(ref)} of the other "
                f"platforms ({why})")
    return Sequence(list(own.blocks), closing, False, note)
