"""Pure geometry: where each element of a card goes, per kind and aspect class (no Pillow).

A layout is computed in left-to-right terms and mirrored for right-to-left variants, so the two
can never drift apart. The renderer fits text into the boxes given here, then places the
fitted blocks with :func:`stack`; every box lies inside ``Platform.safe_box()`` (the 6 % margin
plus platform UI zones), which the tests check for every kind x platform.

Sizes are derived from the short side ``S`` of the canvas, because that is what a viewer's
thumbnail scales by; type sizes are then clamped up to the platform's legibility floor, which
the spec ties to the canvas *width*.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from ..platforms import Platform

KINDS = ("quote", "statement", "tag", "carousel")
ASPECTS = ("square", "portrait", "tall", "story", "landscape")
SLIDE_ROLES = ("cover", "content", "closing")


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in canvas pixels (x, y = top-left corner)."""

    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    @property
    def ltrb(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.right, self.bottom)

    @classmethod
    def from_ltrb(cls, left: int, top: int, right: int, bottom: int) -> Box:
        return cls(left, top, right - left, bottom - top)

    def contains(self, other: Box | tuple[int, int, int, int]) -> bool:
        """True when ``other`` (a Box or an (l, t, r, b) tuple) lies wholly inside this box."""
        left, top, right, bottom = other.ltrb if isinstance(other, Box) else other
        return self.x <= left and self.y <= top and right <= self.right and bottom <= self.bottom

    def mirrored(self, width: int) -> Box:
        """The same box reflected about the vertical centre line of a canvas ``width`` wide."""
        return Box(width - self.right, self.y, self.w, self.h)


def aspect_class(width: int, height: int) -> str:
    """Name the layout family for a canvas: square, portrait (4:5), tall (2:3), story, landscape.

    Thresholds sit between the ratios the platform table uses (1.91, 1.78, 1, 0.8, 0.667,
    0.5625) so a new platform falls into the family it visually belongs to.
    """
    a = width / height
    if a >= 1.3:
        return "landscape"
    if a >= 0.9:
        return "square"
    if a >= 0.74:
        return "portrait"
    if a >= 0.6:
        return "tall"
    return "story"


@dataclass(frozen=True)
class Layout:
    """Boxes and type sizes for one kind on one platform (already mirrored for RTL).

    ``boxes`` holds the regions the renderer fills:

    - ``frame``: the design's content frame (inside the safe box, with generous padding)
    - ``main``: the region the main group (mark, title, text, attribution) is stacked in
    - ``text``: the box the main text is fitted to (its height is the most it may take)
    - ``mark``: quote kind, the opening quote mark's ink box
    - ``footer``, ``handle``, ``logo``: the bottom row (handle at the start, logo at the end)
    - ``header``, ``counter``: carousel top row (counter at the end)
    - ``cue``: carousel swipe cue (bottom end)
    - ``credit``: photo credit (top end)

    ``sizes`` holds pixel sizes: ``text_max`` (largest main text size), ``title_max``, ``name``,
    ``role``, ``date``, ``handle``, ``credit``, ``counter``, ``logo`` (logo height), ``mark``
    (quote-mark ink height), ``rule_w``/``rule_h`` (accent rule), and ``gap_*`` spacings.
    """

    kind: str
    aspect: str
    width: int
    height: int
    direction: str
    slide_role: str | None
    safe: Box
    frame: Box
    align: str  # "start" or "center": main text alignment (start = right for RTL)
    valign: str  # "center", "top" or "bottom": how the main group sits in ``main``
    mark_mode: str | None  # "above" (mark over the text) or "hanging" (mark in a side gutter)
    floor: int
    boxes: dict[str, Box] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    calm: str | None = None  # photo cards: the side the text and its scrim take (physical)

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"


# Per aspect class: design padding (fraction of S on top of the safe box), the largest main
# text size (fraction of S) per kind, and whether the quote mark hangs in a gutter.
# The caps are display sizes: a short text takes the size that fills its box (a slogan fills
# the width), a long one steps down because the box runs out first. See docs/rendering.md.
_PAD = {"square": 0.085, "portrait": 0.085, "tall": 0.09, "story": 0.09, "landscape": 0.075}
_TEXT_MAX = {
    "quote": {"square": 0.19, "portrait": 0.2, "tall": 0.2, "story": 0.21, "landscape": 0.3},
    "statement": {"square": 0.19, "portrait": 0.2, "tall": 0.2, "story": 0.21,
                  "landscape": 0.3},
    "tag": {"square": 0.13, "portrait": 0.14, "tall": 0.14, "story": 0.15, "landscape": 0.13},
    "carousel": {"square": 0.072, "portrait": 0.076, "tall": 0.078, "story": 0.08,
                 "landscape": 0.074},
}
# Explicit carousel slides are usually short: set them as display type, up to this cap.
_SLIDE_DISPLAY_MAX = 0.17


CALM_SHARE = 0.6
"""Share of the main region a photo card's text keeps to, on the side away from the focus."""


def _px(fraction: float, short: int) -> int:
    return max(1, round(fraction * short))


def layout_for(
    kind: str, platform: Platform, *, direction: str = "ltr", slide_role: str | None = None,
    credit: bool = False, calm: str | None = None,
) -> Layout:
    """The layout of ``kind`` on ``platform``; carousels take a ``slide_role``.

    ``credit``: a photo credit will be drawn, so the main group starts below its row.
    ``calm``: photo cards, the physical side of the crop away from the subject ("top",
    "bottom", "left", "right"): the main group keeps to that part (CALM_SHARE of the main
    region) and sits against its outer edge.

    Carousel covers use the statement geometry (title as the hero), closing slides the tag
    geometry, content slides their own (text top-aligned so baselines match across slides).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if kind == "carousel":
        slide_role = slide_role or "content"
        if slide_role not in SLIDE_ROLES:
            raise ValueError(f"unknown slide role {slide_role!r}")
    W, H = platform.width, platform.height
    S = min(W, H)
    aspect = aspect_class(W, H)
    safe = Box.from_ltrb(*platform.safe_box())
    floor = platform.min_body_px

    pad = _px(_PAD[aspect], S)
    frame = Box.from_ltrb(
        max(safe.x, pad),
        max(safe.y, pad),
        min(safe.right, W - pad),
        min(safe.bottom, H - pad),
    )
    if aspect == "landscape":
        # Wide canvases: a little more air at the sides than top/bottom reads as balanced.
        side = max(frame.x, _px(0.06, W))
        frame = Box.from_ltrb(side, frame.y, W - side, frame.bottom)

    def ts(fraction: float) -> int:
        """A secondary type size: proportional to S, never under the legibility floor."""
        return max(floor, _px(fraction, S))

    sizes: dict[str, int] = {
        "handle": ts(0.031),
        "name": ts(0.036),
        "role": ts(0.029),
        "date": ts(0.029),
        "counter": ts(0.029),
        "credit": max(round(floor * 0.85), _px(0.024, S)),  # small but legible, not body text
        "logo": 0,  # below: follows the handle so the bottom row reads as one line
        "rule_w": _px(0.075, S),
        "rule_h": max(3, _px(0.0065, S)),
        "gap_s": _px(0.022, S),
        "gap_m": _px(0.038, S),
        "gap_l": _px(0.06, S),
    }
    # The wordmark's height is its cap height: match the handle's optical size, never tiny.
    sizes["logo"] = max(_px(0.036, S), sizes["handle"])
    sizes["text_max"] = max(floor, _px(_TEXT_MAX[kind][aspect], S))
    sizes["slide_max"] = max(floor, _px(_SLIDE_DISPLAY_MAX, S))
    # Titles: up to 0.11 S (a statement's title must stay above its body, see cards).
    sizes["title_max"] = max(floor, _px(0.11, S))
    if kind == "carousel" and slide_role == "cover":
        sizes["title_max"] = max(floor, _px(0.16, S))
    if kind == "tag" or slide_role == "closing":
        # Display type: the call to share and the handle are the whole card.
        sizes["handle_hero"] = max(floor, _px(0.13, S))
        sizes["text_max"] = max(floor, _px(_TEXT_MAX["tag"][aspect], S))

    boxes: dict[str, Box] = {"frame": frame}
    # Bottom row: handle at the start, logo at the end (the renderer puts both on one baseline).
    row_h = max(round(sizes["handle"] * 1.3), sizes["logo"])
    footer = Box(frame.x, frame.bottom - row_h, frame.w, row_h)
    boxes["footer"] = footer
    boxes["handle"] = Box(footer.x, footer.y, footer.w * 2 // 3, footer.h)
    logo_w = round(sizes["logo"] * 6)  # a wordmark is ~5:1; the renderer keeps its aspect ratio
    boxes["logo"] = Box(footer.right - logo_w, footer.y + (footer.h - sizes["logo"]) // 2,
                        logo_w, sizes["logo"])
    main_top = frame.y
    main_bottom = footer.y - sizes["gap_l"]

    align, valign, mark_mode = "start", "center", None
    role = slide_role
    if kind == "carousel":
        # Carousel chrome: counter in a top row at the end; logo moves to the top row's start
        # so the swipe cue can own the bottom end, where a thumb expects it.
        header = Box(frame.x, frame.y, frame.w, row_h)
        boxes["header"] = header
        counter_w = round(sizes["counter"] * 3.2)
        boxes["counter"] = Box(header.right - counter_w, header.y, counter_w, header.h)
        boxes["logo"] = Box(header.x, header.y + (header.h - sizes["logo"]) // 2,
                            logo_w, sizes["logo"])
        cue_w = _px(0.085, S)
        boxes["cue"] = Box(footer.right - cue_w, footer.y, cue_w, footer.h)
        main_top = header.bottom + sizes["gap_l"]
        if role == "closing":
            align = "center"
            boxes.pop("cue")
            boxes.pop("handle")  # the handle is the hero of the closing slide
        if role == "cover":
            boxes.pop("counter")

    if kind == "tag":
        # The handle is the hero of the centred group; the logo sits alone, centred, in the
        # bottom row where every other card has it.
        align = "center"
        boxes.pop("handle")
        boxes["logo"] = Box(footer.x + (footer.w - logo_w) // 2, boxes["logo"].y, logo_w,
                            sizes["logo"])

    if not (kind == "carousel" and role != "cover"):
        # Photo credit: top end corner, small (mirrored with the layout, whatever the
        # credit's own script); carousels show it on the cover only, in the header row where
        # the counter would be.
        # Singles give it the full width (the main group moves below it); a carousel cover
        # shares the header row with the wordmark.
        cw = frame.w if kind != "carousel" else frame.w * 3 // 5
        top = frame.y if kind != "carousel" else boxes["header"].y
        boxes["credit"] = Box(frame.right - cw, top, cw, round(sizes["credit"] * 1.4))
        if credit and kind != "carousel":
            # A long first line (or a landscape text column) must not run into the credit.
            main_top = max(main_top, boxes["credit"].bottom + sizes["gap_s"])

    main = Box.from_ltrb(frame.x, main_top, frame.right, main_bottom)
    calm_side = calm
    if calm_side in ("left", "right") and direction == "rtl":
        calm_side = "right" if calm_side == "left" else "left"  # computed LTR, mirrored below
    if calm_side == "bottom":
        main = Box.from_ltrb(main.x, main.bottom - round(main.h * CALM_SHARE), main.right,
                             main.bottom)
        valign = "bottom"
    elif calm_side == "top":
        main = Box(main.x, main.y, main.w, round(main.h * CALM_SHARE))
        valign = "top"
    elif calm_side == "left":
        main = Box(main.x, main.y, round(main.w * CALM_SHARE), main.h)
    elif calm_side == "right":
        main = Box.from_ltrb(main.right - round(main.w * CALM_SHARE), main.y, main.right,
                             main.bottom)
    boxes["main"] = main

    if kind == "quote":
        sizes["mark"] = _px(0.1 if aspect != "story" else 0.12, S)
        if aspect == "landscape":
            # Hanging quote mark: a gutter at the start, the text column beside it. On a wide
            # canvas this keeps lines to a readable measure and uses the height for type.
            mark_mode = "hanging"
            gutter = round(sizes["mark"] * 1.35) + sizes["gap_m"]
            boxes["mark"] = Box(main.x, main.y, gutter - sizes["gap_m"], sizes["mark"])
            boxes["text"] = Box(main.x + gutter, main.y, main.w - gutter, main.h)
        else:
            mark_mode = "above"
            boxes["mark"] = Box(main.x, main.y, round(sizes["mark"] * 1.35), sizes["mark"])
            boxes["text"] = Box(main.x, main.y, main.w, main.h)
    else:
        boxes["text"] = Box(main.x, main.y, main.w, main.h)

    lay = Layout(
        kind=kind, aspect=aspect, width=W, height=H, direction=direction, slide_role=role,
        safe=safe, frame=frame, align=align, valign=valign, mark_mode=mark_mode, floor=floor,
        boxes=boxes, sizes=sizes, calm=calm,
    )
    return mirror(lay) if direction == "rtl" else lay


def mirror(lay: Layout) -> Layout:
    """Reflect every box of a layout horizontally (for right-to-left variants)."""
    boxes = {k: b.mirrored(lay.width) for k, b in lay.boxes.items()}
    return replace(
        lay, boxes=boxes, frame=lay.frame.mirrored(lay.width), safe=lay.safe.mirrored(lay.width)
    )


def stack(top: int, bottom: int, heights: Sequence[int], gaps: Sequence[int],
          valign: str = "center") -> list[int]:
    """Top y of each item stacked vertically between ``top`` and ``bottom``.

    ``gaps[i]`` is the space after item i (len(gaps) == len(heights) - 1). With ``valign``
    "center" the group is centred, optically nudged up by 4 % of the free space (a mathematically
    centred block looks low); "top" starts at ``top``, "bottom" ends at ``bottom``. A group
    taller than the region starts at ``top`` (the renderer sized the text so this does not
    happen).
    """
    if len(gaps) != max(0, len(heights) - 1):
        raise ValueError("need one gap between each pair of items")
    total = sum(heights) + sum(gaps)
    free = bottom - top - total
    y = top
    if valign == "center" and free > 0:
        y = top + round(free / 2 - free * 0.04)
    elif valign == "bottom" and free > 0:
        y = top + free
    ys = []
    for i, h in enumerate(heights):
        ys.append(y)
        y += h + (gaps[i] if i < len(gaps) else 0)
    return ys


def align_x(box: Box, width: int, align: str, direction: str) -> int:
    """Left x of something ``width`` wide placed in ``box`` by alignment and direction."""
    if align == "center":
        return box.x + (box.w - width) // 2
    if direction == "rtl":
        return box.right - width
    return box.x


def fit_contain(src_w: int, src_h: int, box_w: int, box_h: int) -> tuple[int, int]:
    """Largest integer size with the source's aspect ratio that fits in the box."""
    scale = min(box_w / src_w, box_h / src_h)
    return max(1, round(src_w * scale)), max(1, round(src_h * scale))


def crop_box(src_w: int, src_h: int, dst_w: int, dst_h: int,
             focus: tuple[float, float]) -> tuple[int, int, int, int]:
    """The (l, t, r, b) crop of a source image with the destination's aspect ratio.

    The crop is as large as possible and centred on ``focus`` (fractions of the source), then
    clamped so it never leaves the image: a focus near an edge moves the crop, not the picture.
    """
    target = dst_w / dst_h
    if src_w / src_h > target:
        ch = src_h
        cw = min(src_w, round(src_h * target))
    else:
        cw = src_w
        ch = min(src_h, round(src_w / target))
    fx, fy = focus
    left = round(fx * src_w - cw / 2)
    top = round(fy * src_h - ch / 2)
    left = min(max(0, left), src_w - cw)
    top = min(max(0, top), src_h - ch)
    return (left, top, left + cw, top + ch)
