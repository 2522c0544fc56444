"""Frames of a clip: the still's pixels uncovered through masks over its cached background.

For a flat or gradient card every frame is ``composite(still, base, mask)``: the background
with its marks (`Slide.base`) is composed once, the text is the still's own pixels, and the
mask (unit boxes at their current opacity) is all a frame costs. When every unit is fully
shown the frame *is* the still. Over a photo with the Ken Burns camera the background moves:
the text is then matted once from two renders (over black and over white) and laid over each
moving frame. A frame whose state (unit opacities, zoom) equals the previous frame's is not
composed again: the encoder gets the same image object.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from PIL import Image, ImageChops, ImageDraw

from ..project.model import Variant
from ..render import geometry as L
from ..render import paint as P
from ..render.compose import Slide
from ..render.resources import Resources
from ..render.textpaint import draw as draw_block
from .timeline import CROSSFADE_SECONDS, Reveal, ease, frame_time
from .units import Unit

KENBURNS_ZOOM = 1.07
"""Start scale of the Ken Burns move; it eases to 1 (the still's crop) by the hold."""


@dataclass
class Track:
    """Units that share a look: revealed with their own timing over one slide."""

    units: list[Unit]
    reveals: list[Reveal]


@dataclass
class Scene:
    """One card shown in the clip: a slide, what reveals on it and when (seconds, local)."""

    slide: Slide
    seconds: float
    tracks: list[Track] = field(default_factory=list)
    sweep: list[tuple[Unit, bool, Reveal]] = field(default_factory=list)
    """Highlighted runs drawn in the text colour first, then swept to the accent colour."""
    kenburns: float | None = None
    """Seconds the camera moves (from the start of the scene); None: no camera move."""
    crossfade: bool = False  # fades in from the previous scene's last frame


class Painter:
    """Builds the frames of a scene; caches the layers and the last frame it made."""

    def __init__(self, scene: Scene, variant: Variant, res: Resources, easing: str) -> None:
        self.s, self.v, self.res, self.easing = scene, variant, res, easing
        sl = scene.slide
        assert sl.base is not None, "render_slides(layers=True) gives slides with layers"
        self.still = sl.image
        self.base = sl.base
        self.plain: Image.Image | None = None
        if scene.sweep:
            self.plain = self._redraw(self.base.copy(), accents=False)
        self._text: tuple[Image.Image, Image.Image, tuple[int, int, int, int] | None] | None = None
        self._photo: Image.Image | None = None
        self.renders = 0  # frames actually composed (for tests and the benchmark)

    # -- layers ------------------------------------------------------------------------

    def _redraw(self, img: Image.Image, *, accents: bool) -> Image.Image:
        """Draw every text item as compose did, with highlights in the text colour if not
        ``accents`` (the state before the sweep)."""
        for it in self.s.slide.items:
            if it.block is None:
                continue
            draw_block(img, it.block, it.origin[0], it.origin[1], it.fill,
                       it.accent_fill if accents else it.fill)
        return img

    def _matte(self) -> tuple[Image.Image, Image.Image, tuple[int, int, int, int] | None]:
        """(premultiplied text colour, 255 × (1 − coverage), box) from renders over black and
        white, cropped to the box the text covers.

        Over any background G the text is then ``G × (1 − a) + colour``, exact to rounding;
        only the box is computed per frame (the text is a fraction of the card).
        """
        if self._text is None:
            size = self.still.size
            black = self._redraw(Image.new("RGB", size, (0, 0, 0)), accents=True)
            white = self._redraw(Image.new("RGB", size, (255, 255, 255)), accents=True)
            inverse = ImageChops.subtract(white, black)
            box = ImageChops.invert(inverse).getbbox()
            if box is not None:
                black, inverse = black.crop(box), inverse.crop(box)
            self._text = (black, inverse, box)
        return self._text

    def _camera(self, zoom: float) -> Image.Image:
        """The photo background at ``zoom`` around the focus, veiled, with the marks."""
        v, sl = self.v, self.s.slide
        bg = v.background
        assert bg.image is not None and sl.paint_marks is not None
        w, h = self.still.size
        if self._photo is None:
            self._photo = self.res.photo(bg.image, v.source, w, h)
        src = self._photo
        x0, t, r, b = L.crop_box(src.width, src.height, w, h, bg.focus)
        cw, ch = (r - x0) / zoom, (b - t) / zoom
        fx = min(max(bg.focus[0] * src.width, x0 + cw / 2), r - cw / 2)
        fy = min(max(bg.focus[1] * src.height, t + ch / 2), b - ch / 2)
        box = (fx - cw / 2, fy - ch / 2, fx + cw / 2, fy + ch / 2)
        img = src.resize((w, h), Image.Resampling.BICUBIC, box=box)
        light = P.luminance(P.rgb(sl.items[0].fill)) < 0.18 if sl.items else False
        img = P.veil(img, sl.overlay if sl.overlay is not None else bg.overlay, light)
        sl.paint_marks(img)
        return img

    # -- masks -------------------------------------------------------------------------

    def _mask(self, t: float) -> tuple[tuple[int, ...], Image.Image | None]:
        """(state key, mask of the text to show); mask None when everything is shown."""
        alphas: list[tuple[int, Unit]] = []
        for track in self.s.tracks:
            for u, r in zip(track.units, track.reveals, strict=True):
                alphas.append((round(255 * r.alpha(t, self.easing)), u))
        key = tuple(a for a, _ in alphas)
        if all(a == 255 for a in key):
            return key, None
        mask = Image.new("L", self.still.size, 255)
        d = ImageDraw.Draw(mask)
        for a, u in sorted(alphas, key=lambda x: x[0]):
            if a < 255:
                for box in u.boxes:
                    d.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=a)
        return key, mask

    def _sweep(self, t: float) -> tuple[tuple[int, ...], Image.Image | None]:
        """Mask of how far each highlighted run has turned to the accent colour."""
        if not self.s.sweep:
            return (), None
        key = []
        mask = Image.new("L", self.still.size, 0)
        d = ImageDraw.Draw(mask)
        for u, rtl, r in self.s.sweep:
            p = r.alpha(t, self.easing)
            left, top, right, bottom = u.boxes[0]
            edge = round(left + (right - left) * p) if not rtl else round(
                right - (right - left) * p)
            key.append(edge)
            if p >= 1:
                d.rectangle((left - 2, top, right + 1, bottom - 1), fill=255)
            elif p > 0:
                box = (left - 2, top, edge - 1, bottom - 1) if not rtl else (
                    edge, top, right + 1, bottom - 1)
                if box[2] >= box[0]:
                    d.rectangle(box, fill=255)
        if all(r.alpha(t, self.easing) >= 1 for _, _, r in self.s.sweep):
            return tuple(key), None
        return tuple(key), mask

    # -- frames ------------------------------------------------------------------------

    def frames(self, count: int, previous: Image.Image | None) -> Iterator[Image.Image]:
        """``count`` frames of this scene (the same object again when nothing changed)."""
        last_key: object = None
        last: Image.Image | None = None
        for i in range(count):
            t = frame_time(i)
            key_m, mask = self._mask(t)
            key_s, sweep = self._sweep(t)
            kb = self.s.kenburns
            zoom = 1.0
            if kb is not None and t < kb:
                zoom = KENBURNS_ZOOM - (KENBURNS_ZOOM - 1) * ease(t / kb, "ease-in-out")
            fade = 1.0
            if self.s.crossfade and previous is not None and t < CROSSFADE_SECONDS:
                fade = ease(t / CROSSFADE_SECONDS, "ease-in-out")
            key = (key_m, key_s, round(zoom, 5), round(fade, 4))
            if key != last_key or last is None:
                last = self._compose(mask, sweep, zoom)
                if fade < 1.0 and previous is not None:
                    last = Image.blend(previous, last, fade)
                self.renders += 1
                last_key = key
            yield last

    def _compose(self, mask: Image.Image | None, sweep: Image.Image | None,
                 zoom: float) -> Image.Image:
        full = self.still
        if sweep is not None and self.plain is not None:
            full = Image.composite(self.still, self.plain, sweep)
        if zoom == 1.0:
            return full if mask is None else Image.composite(full, self.base, mask)
        colour, inverse, box = self._matte()
        bg = self._camera(zoom)
        if box is None:
            return bg
        # (While the camera moves, highlights show in their accent colour: the sweep reads
        # on flat backgrounds; over a moving photo two motions at once are one too many.)
        under = bg.crop(box)
        text = ImageChops.add(ImageChops.multiply(under, inverse), colour)
        if mask is not None:
            text = Image.composite(text, under, mask.crop(box))
        bg.paste(text, box[:2])
        return bg


def render_frames(scenes: Sequence[Scene], variant: Variant, res: Resources, easing: str,
                  counts: Sequence[int], stats: dict[str, int] | None = None
                  ) -> Iterator[Image.Image]:
    """Every frame of the clip, scene after scene (cross-fading where a scene asks).

    ``stats["composed"]`` counts the frames actually composed (the rest were repeats).
    """
    previous: Image.Image | None = None
    for scene, n in zip(scenes, counts, strict=True):
        painter = Painter(scene, variant, res, easing)
        yield from painter.frames(n, previous)
        previous = scene.slide.image
        if stats is not None:
            stats["composed"] = stats.get("composed", 0) + painter.renders
