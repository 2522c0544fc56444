"""Pixel-level helpers for the renderer: colour and WCAG contrast, backgrounds and photos,
glyph ink, the swipe arrow and the --debug overlay (the SVG logo is svg.py).

Nothing here knows about designs or layouts beyond the boxes it is handed; render.py decides
what goes where.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageChops, ImageDraw, ImageFont, UnidentifiedImageError

from ..errors import RenderError

if TYPE_CHECKING:
    from .geometry import Box, Layout

AA_NORMAL = 4.5
AA_LARGE = 3.0
PHOTO_PIXEL_LIMIT = 50_000_000
"""Refuse larger photos: no real card background needs more, and decoding one costs seconds and
gigabytes (a decompression bomb is a tiny file that claims billions of pixels)."""

PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
"""The only decoders a photo (or an image inside an SVG logo) may reach, chosen by content,
never by file name: EPS/PS (Ghostscript, a separate program), and Pillow's rarer decoders are
unreachable, whatever the file is called."""

# --- photos and backgrounds ---------------------------------------------------------------


def sniff_raster(data: bytes) -> str | None:
    """The format of raster image bytes if it is one of PHOTO_FORMATS (by content), else None."""
    try:
        with Image.open(io.BytesIO(data), formats=PHOTO_FORMATS) as im:
            if im.width * im.height > PHOTO_PIXEL_LIMIT:
                return None
            return str(im.format)
    except Exception:  # noqa: BLE001 - any decoder complaint means "not an image we take"
        return None


def load_photo(path: Path, source: Path, min_w: int, min_h: int) -> Image.Image:
    """Decode a background photo as upright sRGB RGB (JPEGs drafted down to ~min size).

    Bombs, missing and corrupt files raise RenderError naming ``source`` and
    ``background.image``.
    """
    from PIL import ImageOps

    def bad(msg: str, hint: str) -> RenderError:
        return RenderError(msg, file=source, field="background.image", hint=hint)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(path, formats=PHOTO_FORMATS)
            if opened.width * opened.height > PHOTO_PIXEL_LIMIT:
                raise Image.DecompressionBombError("too many pixels")
            if opened.format == "JPEG":
                opened.draft("RGB", (min_w, min_h))  # decode at 1/2, 1/4… when that is enough
            opened.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise bad(
            f"{path.name} is too large to decode safely ({exc}); the limit is "
            f"{PHOTO_PIXEL_LIMIT:,} pixels",
            "resize the photo (2,000-4,000 px on the long side is plenty)",
        ) from exc
    except FileNotFoundError as exc:
        raise bad(f"{path.name} does not exist", "check the path") from exc
    except UnidentifiedImageError:
        raise bad(f"{path.name} is not a JPEG, PNG, WebP or GIF image (judged by its "
                  f"content, not its name)", "save the photo as JPEG or PNG") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise bad(f"cannot read {path.name} as an image ({type(exc).__name__}: "
                  f"{str(exc)[:200]})", "use an intact JPEG or PNG file") from None
    try:
        im: Image.Image = ImageOps.exif_transpose(opened) or opened
    except Exception:  # noqa: BLE001 - a malformed EXIF block: keep the pixels as stored
        im = opened
    icc = im.info.get("icc_profile")
    if im.mode in ("I", "F") or im.mode.startswith("I;16"):
        im = sixteen_bit_to_l(im)
    elif im.mode not in ("RGB", "RGBA", "L", "CMYK", "P"):
        im = im.convert("RGB")
    if icc:
        from PIL import ImageCms

        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(
                im.convert("RGB") if im.mode in ("P", "L", "RGBA") else im,
                src, ImageCms.createProfile("sRGB"), outputMode="RGB",
            )
            im = converted or im
        except (ImageCms.PyCMSError, OSError):
            pass  # a broken profile: treat the pixels as sRGB, as browsers do
    return im.convert("RGB")


def sixteen_bit_to_l(im: Image.Image) -> Image.Image:
    """16-bit (or 32-bit) greyscale to 8-bit L, scaling 0..65535 to 0..255.

    Pillow's plain convert() clips instead of scaling, so almost every pixel of a 16-bit
    photo becomes white.
    """
    if im.mode == "F":
        hi = float(im.getextrema()[1])  # type: ignore[arg-type]
        scale = 255.0 / 65535 if hi > 255 else 1.0
        return im.point(lambda v: v * scale).convert("L")
    return im.convert("I").point(lambda v: v * (1 / 257)).convert("L")


def gradient(w: int, h: int, top: str, bottom: str) -> Image.Image:
    mask = Image.linear_gradient("L").resize((w, h), Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGB", (w, h), rgb(bottom)),
                           Image.new("RGB", (w, h), rgb(top)), mask)


def veil(img: Image.Image, overlay: float, light: bool = False) -> Image.Image:
    """The photo overlay: blend towards black by ``overlay`` (0..1), or towards white when the
    text is dark (``light``), so the overlay always works for the text's contrast."""
    keep = 1.0 - overlay
    base = 255 * overlay if light else 0.0
    return img.point([round(base + v * keep) for v in range(256)] * 3)


def scrim(img: Image.Image, side: str, overlay: float, light: bool = False,
          bands: tuple[tuple[int, int], ...] = ()) -> Image.Image:
    """A directional scrim: ``overlay`` at full strength over the half of the image on
    ``side`` (top, bottom, left, right), fading to a fifth of it across the next third, so
    the subject on the other side keeps its light. ``bands`` (y0, y1) get full strength too,
    with soft edges: the rows of small chrome (credit, handle) outside the text's side."""
    w, h = img.size
    vertical = side in ("top", "bottom")
    n = h if vertical else w
    ramp = []
    for i in range(n):
        t = i / max(1, n - 1)  # 0 at the text edge
        fade = 1.0 if t <= 0.5 else max(0.2, 1.0 - (t - 0.5) / 0.33 * 0.8)
        ramp.append(round(255 * overlay * fade))
    if side in ("bottom", "right"):
        ramp.reverse()
    line = Image.new("L", (1, n) if vertical else (n, 1))
    line.putdata(ramp)
    mask = line.resize((w, h), Image.Resampling.NEAREST)
    if bands:
        soft = max(8, h // 20)
        col = [0] * h
        for y0, y1 in bands:
            for y in range(max(0, y0 - soft), min(h, y1 + soft)):
                d = max(0, y0 - y, y - y1)
                col[y] = max(col[y], round(255 * overlay * (1 - d / soft)))
        band = Image.new("L", (1, h))
        band.putdata(col)
        mask = ImageChops.lighter(mask, band.resize((w, h), Image.Resampling.NEAREST))
    tint = Image.new("RGB", (w, h), (255, 255, 255) if light else (0, 0, 0))
    return Image.composite(tint, img, mask)


# --- colour and contrast -----------------------------------------------------------------------


def rgb(color: str) -> tuple[int, int, int]:
    """'#rgb' / '#rrggbb' -> (r, g, b)."""
    c = color.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    return (int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16))


def _lin(v: float) -> float:
    v /= 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def luminance(color: tuple[int, int, int]) -> float:
    """WCAG relative luminance of an sRGB colour."""
    r, g, b = (_lin(c) for c in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(l1: float, l2: float) -> float:
    hi, lo = max(l1, l2), min(l1, l2)
    return (hi + 0.05) / (lo + 0.05)


_LIN_LUT = [round(_lin(v) * 255) for v in range(256)]
# 16-bit ("I") would be more exact; 8-bit linear is within 0.002 luminance, ample for a 4.5 gate.


def region_luminance(img: Image.Image, box: tuple[int, int, int, int], against: float) -> float:
    """The worst-case background luminance in ``box`` for text of luminance ``against``.

    Worst case is the 98th percentile towards the text's own luminance (the brightest pixels
    behind light text), so a few specular highlights in a photo do not fail a card but a
    bright sky does.
    """
    crop = img.crop(box)
    if crop.width > 200:  # luminance statistics do not need every pixel
        crop = crop.resize((200, max(1, round(crop.height * 200 / crop.width))),
                           Image.Resampling.BOX)
    lin = crop.point(_LIN_LUT * 3)
    lum = lin.convert("L", (0.2126, 0.7152, 0.0722, 0))
    hist = lum.histogram()
    total = sum(hist)
    want = total * 0.02
    rng = range(255, -1, -1) if against > 0.18 else range(256)
    seen = 0
    for v in rng:
        seen += hist[v]
        if seen >= want:
            return v / 255
    return 0.0


def is_large(size: int, width: int, bold: bool) -> bool:
    """WCAG 'large text' at the size people see it.

    A 1080 px card fills a ~360 CSS px phone screen (3x), so 18 pt (24 CSS px) is 72 px per
    1080 px of width, and 14 pt bold (18.7 CSS px) is 56 px.
    """
    per1080 = size * 1080 / width
    return per1080 >= (56 if bold else 72)


# --- drawn elements ----------------------------------------------------------------------------


def glyph_ink(font: ImageFont.FreeTypeFont, glyph: str) -> Image.Image:
    """The glyph's coverage mask cropped to its ink (getbbox is not ink-tight vertically)."""
    left, top, right, bottom = (round(v) for v in font.getbbox(glyph, anchor="ls"))
    layer = Image.new("L", (right - left + 4, bottom - top + 4), 0)
    ImageDraw.Draw(layer).text((2 - left, 2 - top), glyph, font=font, fill=255, anchor="ls")
    return layer.crop(layer.getbbox() or (0, 0, 1, 1))


def draw_arrow(draw: ImageDraw.ImageDraw, box: Box, color: str, rtl: bool) -> None:
    """Swipe cue: a drawn arrow (no glyph, so no font or language issues), pointing the way
    the slides advance (left in RTL)."""
    w = box.w
    th = max(3, round(w * 0.07))
    cy = box.y + box.h // 2
    head = min(round(w * 0.3), box.h // 2 - th)  # the whole arrow stays inside its box
    if rtl:
        x0, x1, sgn = box.right, box.x, -1
    else:
        x0, x1, sgn = box.x, box.right, 1
    draw.line((x0, cy, x1 - sgn * th // 2, cy), fill=color, width=th)
    draw.line((x1 - sgn * head, cy - head, x1, cy, x1 - sgn * head, cy + head), fill=color,
              width=th, joint="curve")


LTRB = tuple[int, int, int, int]


def debug_overlay(img: Image.Image, lay: Layout, text_boxes: list[tuple[LTRB, LTRB]]) -> None:
    """--debug: safe box (red), design frame (cyan), layout boxes (yellow), text (green/magenta)."""
    d = ImageDraw.Draw(img)
    d.rectangle(lay.safe.ltrb, outline=(255, 0, 0), width=3)
    d.rectangle(lay.frame.ltrb, outline=(0, 255, 255), width=2)
    for name, b in lay.boxes.items():
        if name not in ("frame",):
            d.rectangle(b.ltrb, outline=(255, 220, 0), width=1)
    for box, ink in text_boxes:
        d.rectangle(box, outline=(0, 255, 0), width=2)
        d.rectangle(ink, outline=(255, 0, 255), width=1)
