"""Drawing: backgrounds, logo, chrome and fitted text blocks -> PIL images, one per slide.

The geometry comes from layout.py and the typography from text.py; this module decides
colours, draws, and checks what it drew: every text item records its ink box, type size and the
WCAG contrast measured against the pixels actually behind it (tests and `validate` read these
from :func:`render_slides`). Photo overlays are strengthened until text passes AA; a flat or
gradient background that fails is an error with the measured ratio.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from . import layout as L
from . import text as T
from .errors import RenderError
from .fonts import FontStack, font_stack
from .model import Background, Variant
from .platforms import Platform

RENDERER_VERSION = "render-1"
"""Part of every artefact's cache key: bump when output pixels change on purpose."""

AA_NORMAL = 4.5
AA_LARGE = 3.0
MAX_OVERLAY = 0.92
DEFAULT_TAG_TEXT = "Download and share \u2014 tag us"
PHOTO_PIXEL_LIMIT = 50_000_000
"""Refuse larger photos: no real card background needs more, and decoding one costs seconds and
gigabytes (a decompression bomb is a tiny file that claims billions of pixels)."""


# --- text module access ----------------------------------------------------------------------


def _text_impl():  # type: ignore[no-untyped-def]
    """text.py, or the stand-in while it is a stub (see _textcompat)."""
    try:
        T.parse_markup("x", ())
        return T
    except NotImplementedError:
        from . import _textcompat

        return _textcompat


# --- resources -------------------------------------------------------------------------------


_EXTERNAL_REF = re.compile(
    r"""(?:\b(?:xlink:)?href\s*=\s*["']\s*(?!#|data:)([^"']*)["'])"""
    r"""|(?:url\(\s*["']?\s*(?!#|data:)([^)"']*))"""
    r"""|(?:@import)|(?:<!ENTITY)|(?:\bSYSTEM\s+["'])""",
    re.IGNORECASE,
)


def check_svg(data: bytes, path: Path) -> None:
    """Refuse SVGs that reference anything outside themselves (files, URLs, entities).

    A logo that pulls in other files renders differently on each machine and can read files
    it should not; only in-document references (``#id``) and ``data:`` URIs are allowed.
    """
    text = data.decode("utf-8", errors="replace")
    m = _EXTERNAL_REF.search(text)
    if m:
        what = next((g for g in m.groups() if g), m.group(0)).strip()
        raise RenderError(
            f"the SVG {path.name} references something outside itself ({what!r})",
            file=path, field="logo",
            hint="embed images as data: URIs or convert text to paths; external files and "
            "URLs are refused",
        )


def _refuse_fetch(url: str, resource_type: str) -> dict[str, object]:
    """CairoSVG url_fetcher: only data: URIs (check_svg already refused the rest)."""
    if url.startswith("data:"):
        from cairosvg.url import fetch

        return fetch(url, resource_type)  # type: ignore[no-any-return]
    raise RenderError(f"the SVG tried to load {url!r}", field="logo")


class Resources:
    """Per-process caches: font stacks, rasterised logos by (path, height, colour), photos.

    Build one per worker process and pass it to every render call; nothing in it depends on a
    particular design, so it is safe to share across designs and platforms.
    """

    def __init__(self) -> None:
        self._logos: dict[tuple[Path, int, str], Image.Image] = {}
        self._photos: dict[tuple[Path, int, int], Image.Image] = {}
        self._marks: dict[tuple[Path, int], tuple[int, float]] = {}

    def stack(self, paths: Sequence[Path]) -> FontStack:
        return font_stack(paths)

    def logo(self, path: Path, height: int, color: str) -> Image.Image:
        """The SVG rasterised by CairoSVG at exactly ``height`` px (RGBA).

        ``currentColor`` in the SVG becomes ``color`` (the theme's text colour), so a
        one-colour wordmark follows light and dark themes; full-colour logos are untouched.
        """
        key = (path, height, color)
        img = self._logos.get(key)
        if img is None:
            import cairosvg.surface

            try:
                data = path.read_bytes()
            except OSError as exc:
                raise RenderError(f"cannot read the logo: {exc.strerror}", file=path,
                                  field="logo") from exc
            check_svg(data, path)
            data = data.replace(b"currentColor", color.encode())
            try:
                png = cairosvg.surface.PNGSurface.convert(
                    bytestring=data, output_height=height, unsafe=False,
                    url_fetcher=_refuse_fetch,
                )
                import io

                img = Image.open(io.BytesIO(png)).convert("RGBA")
                img.load()
            except RenderError:
                raise
            except Exception as exc:  # CairoSVG raises many types for a broken file
                raise RenderError(f"cannot draw the SVG logo {path.name}: {exc}", file=path,
                                  field="logo", hint="export it again as plain SVG") from exc
            self._logos[key] = img
        return img

    def photo(self, path: Path, source: Path, min_w: int, min_h: int) -> Image.Image:
        """The photo decoded as sRGB RGB, upright, at least about ``min_w`` x ``min_h``.

        Decompression bombs and unreadable files raise RenderError naming the file and
        ``background.image``.
        """
        key = (path, min_w, min_h)
        img = self._photos.get(key)
        if img is None:
            img = _load_photo(path, source, min_w, min_h)
            self._photos[key] = img
        return img

    def mark_metrics(self, font_path: Path, glyph: str) -> tuple[int, float]:
        """(reference size, ink height / size) of the quote-mark glyph in a font."""
        key = (font_path, ord(glyph[0]))
        m = self._marks.get(key)  # type: ignore[arg-type]
        if m is None:
            m = (1000, _ink(ImageFont.truetype(str(font_path), 1000), glyph).height / 1000)
            self._marks[key] = m  # type: ignore[index]
        return m


def _load_photo(path: Path, source: Path, min_w: int, min_h: int) -> Image.Image:
    from PIL import ImageOps

    def bad(msg: str, hint: str) -> RenderError:
        return RenderError(msg, file=source, field="background.image", hint=hint)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(path)
            if im.width * im.height > PHOTO_PIXEL_LIMIT:
                raise Image.DecompressionBombError("too many pixels")
            if im.format == "JPEG":
                im.draft("RGB", (min_w, min_h))  # decode at 1/2, 1/4… when that is enough
            im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise bad(
            f"{path.name} is too large to decode safely ({exc}); the limit is "
            f"{PHOTO_PIXEL_LIMIT:,} pixels",
            "resize the photo (2,000-4,000 px on the long side is plenty)",
        ) from exc
    except FileNotFoundError as exc:
        raise bad(f"{path.name} does not exist", "check the path") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise bad(f"cannot read {path.name} as an image ({exc})",
                  "use an intact JPEG or PNG file") from exc
    im = ImageOps.exif_transpose(im)
    icc = im.info.get("icc_profile")
    if im.mode not in ("RGB", "RGBA", "L", "CMYK", "P"):
        im = im.convert("RGB")
    if icc:
        from PIL import ImageCms

        try:
            src = ImageCms.ImageCmsProfile(__import__("io").BytesIO(icc))
            im = ImageCms.profileToProfile(
                im.convert("RGB") if im.mode in ("P", "L", "RGBA") else im,
                src, ImageCms.createProfile("sRGB"), outputMode="RGB",
            )
        except (ImageCms.PyCMSError, OSError):
            pass  # a broken profile: treat the pixels as sRGB, as browsers do
    return im.convert("RGB")


# --- colour and contrast ---------------------------------------------------------------------


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


# --- results ---------------------------------------------------------------------------------


@dataclass
class TextItem:
    """One piece of text as drawn: for tests, validation and the debug overlay."""

    role: str  # text | title | date | name | role | handle | credit | counter | prompt
    size: int
    box: tuple[int, int, int, int]  # the region it was placed in (l, t, r, b)
    ink: tuple[int, int, int, int] = (0, 0, 0, 0)
    contrast: float = 21.0  # worst of its colours against the pixels behind
    required: float = AA_NORMAL
    body: bool = False  # subject to the legibility floor


@dataclass
class Slide:
    """One rendered image plus what the checks need to know about it."""

    image: Image.Image
    role: str  # single | cover | content | closing
    layout: L.Layout
    items: list[TextItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    overlay: float | None = None


# --- backgrounds -----------------------------------------------------------------------------


def _gradient(w: int, h: int, top: str, bottom: str) -> Image.Image:
    mask = Image.linear_gradient("L").resize((w, h), Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGB", (w, h), rgb(bottom)),
                           Image.new("RGB", (w, h), rgb(top)), mask)


def _photo_base(bg: Background, variant: Variant, w: int, h: int, res: Resources) -> Image.Image:
    assert bg.image is not None
    src = res.photo(bg.image, variant.source, w, h)
    box = L.crop_box(src.width, src.height, w, h, bg.focus)
    return src.resize((w, h), Image.Resampling.LANCZOS, box=box)


def _darken(img: Image.Image, overlay: float) -> Image.Image:
    keep = 1.0 - overlay
    return img.point([round(v * keep) for v in range(256)] * 3)


# --- drawing helpers -------------------------------------------------------------------------


class _Ctx:
    """Everything one slide's drawing needs, to keep helper signatures short."""

    def __init__(self, variant: Variant, platform: Platform, res: Resources, lay: L.Layout):
        self.v = variant
        self.p = platform
        self.res = res
        self.lay = lay
        self.T = _text_impl()
        th = variant.theme
        self.heading = res.stack(th.fonts.heading)
        self.body = res.stack(th.fonts.body)
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
        t = self.T
        return list(t.parse_markup(t.smart_typography(text, self.lang), highlight))

    def fit(self, spans: Sequence[T.Span] | str, style: T.TextStyle, w: int, h: int,
            field_name: str) -> T.TextBlock:
        try:
            try:
                return self.T.fit(spans, style, w, h)  # type: ignore[no-any-return]
            except T.TextDoesNotFit:
                block = _fit_overhang(self.T, spans, style, w, h)
                if block is None:
                    raise
                return block
        except T.TextDoesNotFit as exc:
            raise RenderError(
                f"{self.p.id}: the {field_name} does not fit at the legibility floor "
                f"({exc.min_size} px)",
                file=self.v.source, field=field_name,
                hint=f"cut about {exc.needed_chars_to_cut} characters",
            ) from exc


def _fit_overhang(t, spans, style: T.TextStyle, w: int, h: int) -> T.TextBlock | None:  # type: ignore[no-untyped-def]
    """Second chance for text.fit, which refuses any ink left of the box (an "A" overhangs by a
    few px): accept side overhang up to 8 % of the size, which the design frame's padding
    absorbs well inside the safe area. Binary search with text.layout."""
    if not hasattr(t, "layout"):
        return None

    def ok(size: int) -> T.TextBlock | None:
        b = t.layout(spans, style, size, w)
        slack = max(2.0, 0.08 * size)
        if (b.height <= h and b.ink[1] >= 0 and b.ink[3] <= h and b.ink[0] >= -slack
                and b.ink[2] <= w + slack and all(ln.width <= w for ln in b.lines)):
            return b  # type: ignore[no-any-return]
        return None

    lo, hi = style.min_size, style.max_size
    best = ok(lo)
    if best is None:
        return None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        b = ok(mid)
        if b is not None:
            lo, best = mid, b
        else:
            hi = mid - 1
    return best


@dataclass
class _Placed:
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


def _has_accent(spans: Sequence[T.Span] | str) -> bool:
    return not isinstance(spans, str) and any(s.accent for s in spans)


def _label(ctx: _Ctx, text: str, stack: FontStack, size: int, box: L.Box, role: str,
           fill: str, *, align: str | None = None, min_size: int | None = None,
           bold: bool = False, direction: str | None = "variant") -> _Placed:
    """A one-line label fitted to ``box`` (shrinks towards the floor rather than wrapping).

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
    h = max(box.h, round(size * 2.2))  # one line of any script (Naskh is tall), never two
    block = ctx.fit(text, st, box.w, h, role)
    y = box.y + (box.h - block.height) // 2
    return _Placed(block, box.x, y, role, fill, False, bold=bold)


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
        s.image.info["shareables"] = {"notes": list(s.notes)}
        out.append(s.image)
    return out


def render_slides(variant: Variant, platform: Platform, res: Resources, *,
                  debug: bool = False) -> list[Slide]:
    """Like render_variant, with each slide's text items, sizes and measured contrast."""
    if variant.kind == "carousel":
        return _render_carousel(variant, platform, res, debug)
    lay = L.layout_for(variant.kind, platform, direction=variant.direction)
    ctx = _Ctx(variant, platform, res, lay)
    if variant.kind == "quote":
        placed, marks = _plan_quote(ctx)
    elif variant.kind == "statement":
        placed, marks = _plan_statement(ctx)
    elif variant.kind == "tag":
        placed, marks = _plan_tag(ctx, lay)
    else:
        raise RenderError(f"unknown kind {variant.kind!r}", file=variant.source, field="kind")
    return [_compose(ctx, lay, "single", placed, marks, debug)]


# A "mark" is a non-text element drawn after the background: ('quote', box), ('rule', box),
# ('logo', box), ('cue', box).
_Mark = tuple[str, L.Box]


def _footer(ctx: _Ctx, lay: L.Layout) -> tuple[list[_Placed], list[_Mark]]:
    placed, marks = [], []
    v = ctx.v
    if v.handle and "handle" in lay.boxes:
        placed.append(_label(ctx, v.handle, ctx.body, lay.sizes["handle"], lay.boxes["handle"],
                             "handle", ctx.fg, align="start", direction="ltr"))
    if v.logo and "logo" in lay.boxes:
        marks.append(("logo", lay.boxes["logo"]))
    return placed, marks


def _attribution(ctx: _Ctx, lay: L.Layout, box: L.Box) -> list[_Placed]:
    """Name (accent, heading face) over role (text colour, body face), one line each."""
    a = ctx.v.attribution
    if a is None:
        return []
    s = lay.sizes
    out = [_label(ctx, a.name, ctx.heading, s["name"], L.Box(box.x, 0, box.w, s["name"]), "name",
                  ctx.accent, align="start", bold=True)]
    if a.role:
        out.append(_label(ctx, a.role, ctx.body, s["role"], L.Box(box.x, 0, box.w, s["role"]),
                          "role", ctx.fg, align="start"))
    return out


def _plan_quote(ctx: _Ctx) -> tuple[list[_Placed], list[_Mark]]:
    lay, s, v = ctx.lay, ctx.lay.sizes, ctx.v
    main, tbox = lay.boxes["main"], lay.boxes["text"]
    attr = _attribution(ctx, lay, tbox)
    attr_h = sum(p.block.height for p in attr) + (s["gap_s"] // 2) * max(0, len(attr) - 1)
    rule = s["rule_h"] + s["gap_s"] if attr else 0
    above = lay.mark_mode == "above"
    used = (s["mark"] + s["gap_m"] if above else 0) + (attr_h + rule + s["gap_m"] if attr else 0)
    spans = ctx.spans(v.text or "", v.highlight)
    st = ctx.style(ctx.heading, s["text_max"], line_height=1.22)
    block = ctx.fit(spans, st, tbox.w, main.h - used, "text")

    heights: list[int] = []
    gaps: list[int] = []
    if above:
        heights.append(s["mark"])
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
    marks: list[_Mark] = []
    mb = lay.boxes["mark"]
    if above:
        marks.append(("quote", L.Box(mb.x, next(it), mb.w, s["mark"])))
    ty = next(it)
    if not above:
        # Hanging: the mark's top sits on the first line's cap height, optically.
        marks.append(("quote", L.Box(mb.x, ty + round(block.size * 0.12), mb.w, s["mark"])))
    placed = [_Placed(block, tbox.x, ty, "text", ctx.fg, _has_accent(spans), body=True,
                      bold=True)]
    if attr:
        marks.append(("rule", L.Box(_start_x(ctx, tbox, s["rule_w"]), next(it), s["rule_w"],
                                    s["rule_h"])))
        for p in attr:
            p.y = next(it)
            placed.append(p)
    f_placed, f_marks = _footer(ctx, lay)
    return placed + f_placed, marks + f_marks


def _start_x(ctx: _Ctx, box: L.Box, w: int) -> int:
    return box.right - w if ctx.direction == "rtl" else box.x


def _plan_statement(ctx: _Ctx, *, title_role: str = "title") -> tuple[list[_Placed], list[_Mark]]:
    lay, s, v = ctx.lay, ctx.lay.sizes, ctx.v
    main, tbox = lay.boxes["main"], lay.boxes["text"]
    head: list[_Placed] = []
    if v.title:
        st = ctx.style(ctx.heading, s["title_max"], line_height=1.15)
        tb = ctx.fit(ctx.spans(v.title), st, tbox.w, main.h // 3, "title")
        head.append(_Placed(tb, tbox.x, 0, title_role, ctx.accent, False, body=True, bold=True))
    if v.date:
        head.append(_label(ctx, v.date, ctx.body, s["date"], L.Box(tbox.x, 0, tbox.w, s["date"]),
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
    marks: list[_Mark] = [("rule", L.Box(_start_x(ctx, tbox, s["rule_w"]), ys[len(head)],
                                          s["rule_w"], s["rule_h"]))]
    placed = head + [_Placed(block, tbox.x, ys[-1], "text", ctx.fg, _has_accent(spans),
                             body=True)]
    f_placed, f_marks = _footer(ctx, lay)
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


def _plan_tag(ctx: _Ctx, lay: L.Layout, prompt: str | None = None
              ) -> tuple[list[_Placed], list[_Mark]]:
    """Call to share, centred: the prompt large, an accent rule, a short lead-in, the handle as
    the hero in the accent colour."""
    s, v = lay.sizes, ctx.v
    main = lay.boxes["main"]
    prompt = prompt or v.text or DEFAULT_TAG_TEXT
    if v.handle and v.handle in prompt:
        prompt = prompt.replace(v.handle, "").strip(" \u2014-:")
    kicker, lead = _split_prompt(prompt)
    hero = s["handle_hero"]
    items: list[_Placed] = []
    hero_item = lead_item = None
    reserve = 0
    if v.handle:
        hero_item = _label(ctx, v.handle, ctx.heading, hero,
                           L.Box(main.x, 0, main.w, round(hero * 1.4)), "handle", ctx.accent,
                           align="center", bold=True, direction="ltr")
        reserve += hero_item.block.height + s["gap_m"]
    if lead:
        lead_item = _label(ctx, lead, ctx.body, s["lead"],
                           L.Box(main.x, 0, main.w, round(s["lead"] * 1.4)), "lead", ctx.fg,
                           align="center")
        reserve += lead_item.block.height + s["gap_s"]
    spans = ctx.spans(kicker, v.highlight)
    st = ctx.style(ctx.heading, s["text_max"], align="center", line_height=1.15)
    reserve += s["rule_h"] + 2 * s["gap_m"]
    block = ctx.fit(spans, st, main.w, main.h - reserve, "text")
    items.append(_Placed(block, main.x, 0, "prompt", ctx.fg, _has_accent(spans), body=True,
                         bold=True))
    heights = [block.height, s["rule_h"]]
    gaps = [s["gap_m"], s["gap_m"]]
    for it in (lead_item, hero_item):
        if it is not None:
            items.append(it)
            heights.append(it.block.height)
            gaps.append(s["gap_s"])
    gaps = gaps[: len(heights) - 1]
    ys = L.stack(main.y, main.bottom, heights, gaps, "center")
    items[0].y = ys[0]
    for p, y in zip(items[1:], ys[2:], strict=True):
        p.y = y
    rule = L.Box(main.x + (main.w - s["rule_w"]) // 2, ys[1], s["rule_w"], s["rule_h"])
    marks: list[_Mark] = [("rule", rule)]
    if v.logo and "logo" in lay.boxes and lay.kind == "tag":
        marks.append(("logo-center", lay.boxes["logo"]))
    return items, marks


def _render_carousel(variant: Variant, platform: Platform, res: Resources,
                     debug: bool) -> list[Slide]:
    v = variant
    content_lay = L.layout_for("carousel", platform, direction=v.direction, slide_role="content")
    ctx = _Ctx(v, platform, res, content_lay)
    tbox = content_lay.boxes["text"]
    st = ctx.style(ctx.body, content_lay.sizes["text_max"], line_height=1.3)
    limit = platform.max_pages if platform.document else platform.carousel_limit
    if v.slides:
        blocks = _fit_common(ctx, [ctx.spans(t, v.highlight) for t in v.slides], st, tbox)
    else:
        blocks = _split(ctx, v.text or "", st, tbox,
                        None if limit is None else max(1, limit - (1 if v.title else 0) - 1))
    total = len(blocks) + (1 if v.title else 0) + 1
    if limit is None and L.aspect_class(*platform.size) != "story":
        # A single-image platform (a link preview): the cover stands for the carousel.
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
        cctx = _Ctx(v, platform, res, lay)
        placed, marks = _plan_statement_cover(cctx)
        slides.append(_compose(cctx, lay, "cover", placed, marks, debug, n, total))
        if total == 1:
            return slides
        n += 1
    for block in blocks:
        y = tbox.y
        placed = [_Placed(block, tbox.x, y, "text", ctx.fg, True, body=True)]
        f_placed, f_marks = _footer(ctx, content_lay)
        slides.append(_compose(ctx, content_lay, "content", placed + f_placed, f_marks, debug,
                               n, total))
        n += 1
    lay = L.layout_for("carousel", platform, direction=v.direction, slide_role="closing")
    cctx = _Ctx(v, platform, res, lay)
    placed, marks = _plan_tag(cctx, lay, DEFAULT_TAG_TEXT)
    slides.append(_compose(cctx, lay, "closing", placed, marks, debug, n, total))
    return slides


def _plan_statement_cover(ctx: _Ctx) -> tuple[list[_Placed], list[_Mark]]:
    """Cover: accent rule, the title as the hero, the date under it."""
    lay, s, v = ctx.lay, ctx.lay.sizes, ctx.v
    main, tbox = lay.boxes["main"], lay.boxes["text"]
    st = ctx.style(ctx.heading, s["title_max"], line_height=1.12)
    extra = (round(s["date"] * 1.45) + s["gap_m"]) if v.date else 0
    tb = ctx.fit(ctx.spans(v.title or ""), st, tbox.w,
                 main.h - s["rule_h"] - s["gap_m"] - extra, "title")
    items = [_Placed(tb, tbox.x, 0, "title", ctx.fg, False, body=True, bold=True)]
    heights = [s["rule_h"], tb.height]
    gaps = [s["gap_m"]]
    if v.date:
        d = _label(ctx, v.date, ctx.body, s["date"], L.Box(tbox.x, 0, tbox.w, s["date"]), "date",
                   ctx.accent, align="start")
        items.append(d)
        heights.append(d.block.height)
        gaps.append(s["gap_m"])
    ys = L.stack(main.y, main.bottom, heights, gaps, "center")
    for p, y in zip(items, ys[1:], strict=False):
        p.y = y
    marks: list[_Mark] = [("rule", L.Box(_start_x(ctx, tbox, s["rule_w"]), ys[0], s["rule_w"],
                                          s["rule_h"]))]
    f_placed, f_marks = _footer(ctx, lay)
    return items + f_placed, marks + f_marks


def _fit_common(ctx: _Ctx, texts: list[list[T.Span]], st: T.TextStyle,
                box: L.Box) -> list[T.TextBlock]:
    """Explicit slides: one size for all, the largest at which every slide fits."""
    size = st.max_size
    for i, sp in enumerate(texts):
        b = ctx.fit(sp, st, box.w, box.h, f"slides[{i}]")
        size = min(size, b.size)
    common = T.TextStyle(st.fonts, max_size=size, min_size=size, line_height=st.line_height,
                         lang=st.lang, direction=st.direction, align=st.align)
    return [ctx.fit(sp, common, box.w, box.h, f"slides[{i}]") for i, sp in enumerate(texts)]


def _split(ctx: _Ctx, text: str, st: T.TextStyle, box: L.Box,
           max_slides: int | None) -> list[T.TextBlock]:
    """Content slides for ``text``; ``max_slides`` (the platform's limit less cover and
    closing) lets the splitter pack tighter, down to the floor, before we report the count."""
    from . import carousel

    try:
        sp = carousel.split_text(text, st, box.w, box.h, highlight=ctx.v.highlight,
                                 max_slides=max_slides)
        return list(sp.blocks)
    except NotImplementedError:
        # Stand-in while carousel.py is a stub: one slide per paragraph.
        paras = [p for p in text.split("\n\n") if p.strip()]
        return _fit_common(ctx, [ctx.spans(p, ctx.v.highlight) for p in paras], st, box)
    except T.TextDoesNotFit as exc:
        # split_text rejects a slide whose first letter's ink pokes a pixel or two left of the
        # box (an "A", a "W"); one slide per paragraph, fitted overhang-tolerantly, still
        # gives a correct carousel when each paragraph fits.
        paras = [p for p in text.split("\n\n") if p.strip()]
        try:
            return _fit_common(ctx, [ctx.spans(p, ctx.v.highlight) for p in paras], st, box)
        except RenderError:
            pass
        raise RenderError(
            f"{ctx.p.id}: a word does not fit a slide at the legibility floor",
            file=ctx.v.source, field="text", hint=exc.hint,
        ) from exc


# --- composition -----------------------------------------------------------------------------


def _background(ctx: _Ctx) -> tuple[Image.Image, Image.Image | None, float | None]:
    """(background, undarkened photo or None, overlay)."""
    v, W, H = ctx.v, ctx.p.width, ctx.p.height
    bg = v.background
    if bg.image is not None:
        photo = _photo_base(bg, v, W, H, ctx.res)
        return _darken(photo, bg.overlay), photo, bg.overlay
    if bg.gradient:
        return _gradient(W, H, *bg.gradient), None, None
    return Image.new("RGB", (W, H), rgb(bg.color or v.theme.colors.background)), None, None


def _measure(img: Image.Image, p: _Placed, accent: str, W: int,
             flat: str | None = None) -> tuple[float, float]:
    """(worst contrast of the item's colours against the pixels behind it, required ratio).

    ``flat``: the background is this one colour, so every pixel behind is known without
    reading any (a quarter of a flat card's render time otherwise).
    """
    colors = [p.fill] + ([accent] if p.accent else [])
    worst = 21.0
    for c in colors:
        lt = luminance(rgb(c))
        lb = luminance(rgb(flat)) if flat else region_luminance(img, p.box, lt)
        worst = min(worst, contrast(lt, lb))
    req = AA_LARGE if is_large(p.block.size, W, p.bold) else AA_NORMAL
    return worst, req


def _compose(ctx: _Ctx, lay: L.Layout, role: str, placed: list[_Placed], marks: list[_Mark],
             debug: bool, n: int | None = None, total: int | None = None) -> Slide:
    v, s = ctx.v, lay.sizes
    W = ctx.p.width
    extra: list[_Placed] = []
    if n is not None and total is not None and role != "cover" and "counter" in lay.boxes:
        extra.append(_label(ctx, f"{n}/{total}", ctx.body, s["counter"], lay.boxes["counter"],
                            "counter", ctx.fg, align="end", direction="ltr"))
    credit = v.background.credit if v.background.image is not None else None
    if credit and "credit" in lay.boxes:
        cb = lay.boxes["credit"]
        extra.append(_label(ctx, credit, ctx.body, s["credit"], cb, "credit", ctx.fg,
                            align="end", min_size=s["credit"], direction=None))
    placed = placed + extra
    if role in ("cover", "content"):
        marks = marks + [("cue", lay.boxes["cue"])]
    if role in ("cover", "closing") and ctx.v.logo and not any(m[0] == "logo" for m in marks):
        marks.append(("logo", lay.boxes["logo"]))

    img, photo, overlay = _background(ctx)
    bg = v.background
    flat = None if (bg.image is not None or bg.gradient) else (
        bg.color or v.theme.colors.background)
    notes: list[str] = []
    measured = [_measure(img, p, ctx.accent, W, flat) for p in placed]
    if photo is not None and overlay is not None:
        start = overlay
        while any(c < r for c, r in measured) and overlay < MAX_OVERLAY:
            overlay = min(MAX_OVERLAY, round(overlay + 0.05, 2))
            img = _darken(photo, overlay)
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

    draw = ImageDraw.Draw(img)
    for kind, box in marks:
        _draw_mark(ctx, img, draw, kind, box)
    items: list[TextItem] = []
    for p, (c, r) in zip(placed, measured, strict=True):
        ink = ctx.T.draw(img, p.block, p.x, p.y, p.fill, ctx.accent)
        items.append(TextItem(p.role, p.block.size, p.box, tuple(ink), c, r, p.body))
    if debug:
        _debug_overlay(img, lay, items)
    return Slide(img, role, lay, items, notes, overlay)


def _draw_mark(ctx: _Ctx, img: Image.Image, draw: ImageDraw.ImageDraw, kind: str,
               box: L.Box) -> None:
    if kind == "rule":
        draw.rectangle((box.x, box.y, box.right - 1, box.bottom - 1), fill=ctx.accent)
    elif kind == "quote":
        _draw_quote_mark(ctx, img, box)
    elif kind in ("logo", "logo-center"):
        logo = ctx.res.logo(ctx.v.logo, box.h, ctx.fg)  # type: ignore[arg-type]
        if logo.width > box.w:  # a very wide logo: rasterise again to fit the width
            h = max(1, box.h * box.w // logo.width)
            logo = ctx.res.logo(ctx.v.logo, h, ctx.fg)  # type: ignore[arg-type]
        if kind == "logo-center":
            x = box.x + (box.w - logo.width) // 2
        else:
            x = box.right - logo.width if ctx.direction == "ltr" else box.x
            # In the carousel header the logo sits at the start side instead.
            if ctx.lay.kind == "carousel":
                x = box.x if ctx.direction == "ltr" else box.right - logo.width
        img.paste(logo, (x, box.y + (box.h - logo.height) // 2), logo)
    elif kind == "cue":
        _draw_cue(ctx, draw, box)


def _draw_quote_mark(ctx: _Ctx, img: Image.Image, box: L.Box) -> None:
    """The opening quote mark as a drawn element: sized by its ink, aligned by its ink edge.

    Right-to-left variants get a true mirror image at the right, which is how an opening mark
    reads there.
    """
    glyph = "\u201c"
    idx = next((i for i in range(len(ctx.heading.paths)) if ctx.heading.covers(i, glyph)), 0)
    path = ctx.heading.paths[idx]
    _, ratio = ctx.res.mark_metrics(path, glyph)
    size = max(8, round(box.h / ratio))
    layer = _ink(ImageFont.truetype(str(path), size), glyph)
    if ctx.direction == "rtl":
        layer = layer.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    x = box.right - layer.width if ctx.direction == "rtl" else box.x
    img.paste(Image.new("RGB", layer.size, rgb(ctx.accent)), (x, box.y), layer)


def _ink(font: ImageFont.FreeTypeFont, glyph: str) -> Image.Image:
    """The glyph's coverage mask cropped to its ink (getbbox is not ink-tight vertically)."""
    left, top, right, bottom = font.getbbox(glyph, anchor="ls")
    layer = Image.new("L", (right - left + 4, bottom - top + 4), 0)
    ImageDraw.Draw(layer).text((2 - left, 2 - top), glyph, font=font, fill=255, anchor="ls")
    return layer.crop(layer.getbbox() or (0, 0, 1, 1))


def _draw_cue(ctx: _Ctx, draw: ImageDraw.ImageDraw, box: L.Box) -> None:
    """Swipe cue: a drawn arrow (no glyph, so no font or language issues), pointing the way
    the slides advance (left in RTL)."""
    w = box.w
    th = max(3, round(w * 0.07))
    cy = box.y + box.h // 2
    head = round(w * 0.3)
    if ctx.direction == "rtl":
        x0, x1, sgn = box.right, box.x, -1
    else:
        x0, x1, sgn = box.x, box.right, 1
    draw.line((x0, cy, x1 - sgn * th // 2, cy), fill=ctx.accent, width=th)
    draw.line((x1 - sgn * head, cy - head, x1, cy, x1 - sgn * head, cy + head), fill=ctx.accent,
              width=th, joint="curve")


def _debug_overlay(img: Image.Image, lay: L.Layout, items: list[TextItem]) -> None:
    """--debug: safe box (red), design frame (cyan), layout boxes (yellow), text (green/magenta)."""
    d = ImageDraw.Draw(img)
    d.rectangle(lay.safe.ltrb, outline=(255, 0, 0), width=3)
    d.rectangle(lay.frame.ltrb, outline=(0, 255, 255), width=2)
    for name, b in lay.boxes.items():
        if name not in ("frame",):
            d.rectangle(b.ltrb, outline=(255, 220, 0), width=1)
    for it in items:
        d.rectangle(it.box, outline=(0, 255, 0), width=2)
        d.rectangle(it.ink, outline=(255, 0, 255), width=1)
