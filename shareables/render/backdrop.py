"""What a card is drawn on: flat colour, gradient, or a photo cropped around its focus with
a directional scrim on the calm side (the side away from the focus) where the text goes."""

from __future__ import annotations

from PIL import Image

from ..platforms import Platform
from ..project.model import Background, Variant
from . import geometry as L
from . import paint as P
from .cards import Ctx
from .resources import Resources


def photo_base(bg: Background, variant: Variant, w: int, h: int, res: Resources) -> Image.Image:
    assert bg.image is not None
    src = res.photo(bg.image, variant.source, w, h)
    box = L.crop_box(src.width, src.height, w, h, bg.focus)
    return src.resize((w, h), Image.Resampling.LANCZOS, box=box)


def calm_side(v: Variant, platform: Platform, res: Resources) -> str:
    """Where the text goes on a photo: the side of the crop away from the focus point.

    Landscape crops put the text beside a subject that sits left or right; otherwise the text
    goes under (or over) it.
    """
    bg = v.background
    assert bg.image is not None
    W, H = platform.size
    src = res.photo(bg.image, v.source, W, H)
    left, top, right, bottom = L.crop_box(src.width, src.height, W, H, bg.focus)
    fx = (bg.focus[0] * src.width - left) / max(1, right - left)
    fy = (bg.focus[1] * src.height - top) / max(1, bottom - top)
    if L.aspect_class(W, H) == "landscape" and abs(fx - 0.5) > 0.08:
        return "right" if fx < 0.5 else "left"
    return "bottom" if fy <= 0.55 else "top"


def background(ctx: Ctx, use_photo: bool
                ) -> tuple[Image.Image, Image.Image | None, float | None]:
    """(background, undarkened photo or None, overlay).

    Carousels show the photo on the cover only: content slides are read, not glanced at, and
    read best on the flat brand colour (the same photo six times also looks like a mistake).
    """
    v, W, H = ctx.v, ctx.p.width, ctx.p.height
    bg = v.background
    if bg.image is not None and use_photo:
        photo = photo_base(bg, v, W, H, ctx.res)
        return veil(ctx, photo, bg.overlay), photo, bg.overlay
    if bg.gradient:
        return P.gradient(W, H, *bg.gradient), None, None
    return Image.new("RGB", (W, H), P.rgb(bg.color or v.theme.colors.background)), None, None


def veil(ctx: Ctx, photo: Image.Image, overlay: float) -> Image.Image:
    """A directional scrim behind the text on the calm side of a photo card; a uniform veil
    elsewhere (a carousel cover's centred title)."""
    lay = ctx.lay
    if lay.calm:
        rows = [lay.boxes[k] for k in ("credit", "footer") if k in lay.boxes]
        if lay.calm == "bottom":
            rows = [b for b in rows if b.y < lay.height // 2]
        elif lay.calm == "top":
            rows = [b for b in rows if b.y >= lay.height // 2]
        if not ctx.v.background.credit:
            rows = [b for b in rows if b != lay.boxes.get("credit")]
        return P.scrim(photo, lay.calm, overlay, dark_text(ctx),
                       tuple((b.y, b.bottom) for b in rows))
    return P.veil(photo, overlay, dark_text(ctx))


def dark_text(ctx: Ctx) -> bool:
    """Dark text (a light theme) needs a lightening veil over photos, not a darkening one."""
    return P.luminance(P.rgb(ctx.fg)) < 0.18
