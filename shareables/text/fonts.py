"""FontStack: per-glyph fallback over an ordered list of font files.

Pillow has no font fallback: one draw call uses one font. A FontStack splits text into runs, each
drawn with the first font in the list that has its glyphs (coverage from the fonts' cmap tables,
read once with fontTools). Text that no font can draw is reported by `missing()` so validation
can refuse it instead of drawing tofu boxes.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fontTools import unicodedata as fu

from ..errors import RenderError

if TYPE_CHECKING:  # PIL is imported lazily so `shareables --help` stays instant
    from PIL import Image, ImageFont

_CACHE_LIMIT = 100_000  # entries per shaping cache before it is dropped (bounded memory)

ZWJ = "\u200d"
ZWNJ = "\u200c"
_KEYCAP = "\u20e3"

# Characters with no glyph of their own: they never decide a run's font and are never "missing".
_IGNORABLE_CATEGORIES = {"Cc", "Cf"}  # controls, format chars (ZWJ, ZWNJ, bidi marks, …)


def _is_variation_selector(ch: str) -> bool:
    cp = ord(ch)
    return 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def _is_ignorable(ch: str) -> bool:
    return unicodedata.category(ch) in _IGNORABLE_CATEGORIES or _is_variation_selector(ch)


def _is_emoji_modifier(ch: str) -> bool:
    return 0x1F3FB <= ord(ch) <= 0x1F3FF


def _is_regional_indicator(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _is_tag(ch: str) -> bool:
    return 0xE0020 <= ord(ch) <= 0xE007F


def _is_extender(ch: str) -> bool:
    """Characters that belong to the cluster of the character before them."""
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or _is_variation_selector(ch)
        or _is_emoji_modifier(ch)
        or _is_tag(ch)
        or ch in (ZWJ, ZWNJ, _KEYCAP)
    )


def clusters(text: str) -> list[str]:
    """Split text into clusters that must share one font.

    A cluster is a base character with its combining marks, variation selectors, emoji skin-tone
    modifiers and tag characters, ZWJ emoji sequences (👩‍👩‍👧 stays whole) and regional-indicator
    pairs (flags). This is a practical subset of UAX #29 grapheme clusters: enough that a font
    switch never separates a mark from its letter or splits an emoji.
    """
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        if _is_regional_indicator(text[i]) and j < n and _is_regional_indicator(text[j]):
            j += 1
        while j < n:
            ch = text[j]
            if ch == ZWJ and j + 1 < n and _is_emojiish(text[j - 1]) and _is_emojiish(text[j + 1]):
                j += 2  # ZWJ sequence: keep joining
            elif _is_extender(ch):
                j += 1
            else:
                break
        out.append(text[i:j])
        i = j
    return out


def _is_emojiish(ch: str) -> bool:
    cp = ord(ch)
    return (
        cp >= 0x1F000
        or 0x2600 <= cp <= 0x27BF
        or 0x2300 <= cp <= 0x23FF
        or 0x2B00 <= cp <= 0x2BFF
        or _is_variation_selector(ch)
        or _is_emoji_modifier(ch)
    )


def _wants_emoji(cluster: str) -> bool:
    """True when the cluster asks for emoji presentation (colour glyph)."""
    if "\ufe0e" in cluster:  # explicit text presentation
        return False
    return "\ufe0f" in cluster or _KEYCAP in cluster or ord(cluster[0]) >= 0x1F000


def _is_common(cluster: str) -> bool:
    """Spaces, punctuation, digits: script-neutral, so they stay with their neighbour's font."""
    return fu.script(cluster[0]) in ("Zyyy", "Zinh")


def require_raqm() -> None:
    """Raise a RenderError with an install hint when Pillow lacks Raqm (shaping + bidi)."""
    from PIL import features

    if not features.check("raqm"):
        raise RenderError(
            "Pillow was built without Raqm, so Arabic, Persian and Hebrew cannot be shaped or "
            "ordered",
            hint="install libraqm0, libfribidi0 and libharfbuzz0b (apt) or use a Pillow wheel "
            "from PyPI, which bundles them; check with `python -m PIL.report`",
        )


# Mixed scripts are set at one visual size: every face is scaled to a "Latin-equivalent" size.
# A cased face is matched on x-height to Noto Sans's (0.536 em). A caseless face has no
# x-height, so its factor is tuned per face against Noto Sans / Noto Serif and written here
# (docs/typography.md, "Mixed scripts", has the measurements): Naskh's alef is 0.671 em and its
# letter bodies 0.35 em against the Latin cap height 0.714 and x-height 0.536, and it reads
# about 15 % small next to Latin at the same px; Nastaliq, Noto Sans Hebrew and Noto Serif
# Hebrew were drawn on the Noto Latin proportions (Hebrew letter height 0.59–0.65 em, between
# x-height and cap height) and are left as they are.
_REF_X_HEIGHT = 0.536
_CASELESS_FACTOR = {
    "Noto Naskh Arabic": 1.15,
    "Noto Naskh Arabic UI": 1.15,
    "Noto Nastaliq Urdu": 1.0,
    "Noto Sans Hebrew": 1.0,
    "Noto Serif Hebrew": 1.0,
}


@functools.lru_cache(maxsize=64)
def _font_is_color(path: str) -> bool:
    """Whether a font is a colour font (CBDT, sbix or COLR): its table directory alone.

    Opening the file also refuses a file that is not a font, when the stack is made.
    """
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, lazy=True, fontNumber=0) as tt:
            return any(tag in tt for tag in ("CBDT", "sbix", "COLR"))
    except Exception as exc:  # fontTools raises many types for a corrupt file
        raise RenderError(f"cannot read font {path}: {exc}", hint="use a TTF/OTF file") from exc


@functools.lru_cache(maxsize=64)
def _font_info(path: str) -> tuple[frozenset[int], int | None, float]:
    """(covered code points, fixed bitmap size or None, size factor) of a font.

    The size factor makes the face read at a common size (see `_REF_X_HEIGHT`). Read when a
    stack first consults the font: a Latin text never opens its stack's Arabic or emoji faces.
    """
    from fontTools.ttLib import TTFont

    try:
        tt = TTFont(path, lazy=True, fontNumber=0)
        # Only the code points matter: numbered glyph names spare fontTools reading every
        # glyph's name (the post table, the Adobe Glyph List) just to map the cmap.
        tt.setGlyphOrder([f"g{i}" for i in range(tt["maxp"].numGlyphs)])
        cmap = frozenset(tt.getBestCmap() or {})
        color = any(tag in tt for tag in ("CBDT", "sbix", "COLR"))
        native: int | None = None
        if "CBLC" in tt:
            # CBDT bitmap fonts (Noto Color Emoji) only load at their strike size.
            native = max(s.bitmapSizeTable.ppemY for s in tt["CBLC"].strikes)
        factor = 1.0
        os2 = tt["OS/2"] if "OS/2" in tt else None
        x_height = getattr(os2, "sxHeight", 0) / tt["head"].unitsPerEm if os2 else 0.0
        if color:
            pass
        elif ord("x") in cmap and x_height > 0:
            factor = _REF_X_HEIGHT / x_height
        else:
            factor = _CASELESS_FACTOR.get(str(tt["name"].getDebugName(1) or ""), 1.0)
        tt.close()
    except Exception as exc:  # fontTools raises many types for a corrupt file
        raise RenderError(f"cannot read font {path}: {exc}", hint="use a TTF/OTF file") from exc
    return cmap, native, factor


class FontStack:
    """An ordered list of font files tried glyph by glyph.

    Index i in runs() refers to `paths[i]`. Colour bitmap fonts (Noto Color Emoji) are used only
    for clusters that ask for emoji or that no other font has; they load at a fixed size
    (`native_size`), and the caller scales their rendering (see `scale`).
    """

    def __init__(self, paths: Iterable[str | Path]) -> None:
        require_raqm()
        self.paths: tuple[Path, ...] = tuple(Path(p) for p in paths)
        if not self.paths:
            raise RenderError("a font list is empty", hint="list at least one font file")
        self._color = [_font_is_color(str(p)) for p in self.paths]
        self._infos: list[tuple[frozenset[int], int | None, float] | None] = [None] * len(
            self.paths)
        # each face is scaled relative to the first text face, so the stack's size stays the size
        self._first_text = next((i for i, c in enumerate(self._color) if not c), None)
        self._cluster_cache: dict[str, int | None] = {}
        self._fonts: dict[tuple[int, int], ImageFont.FreeTypeFont] = {}
        # Shaping results by (font, loaded size, text, rtl, lang): a build sets the same words
        # at a handful of sizes over and over (every platform, every fitting probe).
        self._advances: dict[tuple[int, int, str, bool, str], float] = {}
        self._inks: dict[tuple[int, int, str, bool, str], tuple[float, float, float, float]] = {}
        self._emoji: dict[tuple[int, str, int], tuple[Image.Image, int, int]] = {}

    def __repr__(self) -> str:
        return f"FontStack({[p.name for p in self.paths]})"

    def _info(self, index: int) -> tuple[frozenset[int], int | None, float]:
        info = self._infos[index]
        if info is None:
            info = self._infos[index] = _font_info(str(self.paths[index]))
        return info

    def _native(self, index: int) -> int | None:
        return self._info(index)[1]

    def _scale(self, index: int) -> float:
        if self._color[index]:
            return 1.0
        first = self._first_text
        return self._info(index)[2] / (self._info(first)[2] if first is not None else 1.0)

    def is_color(self, index: int) -> bool:
        """True for colour fonts (draw with embedded_color=True)."""
        return self._color[index]

    def native_size(self, index: int) -> int | None:
        """The only size a bitmap font loads at (109 for Noto Color Emoji), else None."""
        return self._native(index)

    def face_scale(self, index: int) -> float:
        """How much larger than the nominal size face `index` is set (mixed-script harmony)."""
        return self._scale(index)

    def scale(self, index: int, size: int) -> float:
        """Factor from the loaded font's pixels to `size` (1.0 except for bitmap fonts)."""
        native = self._native(index)
        return size / native if native else 1.0

    def covers(self, index: int, cluster: str) -> bool:
        """Whether font `index` has a glyph for every drawable character of the cluster."""
        cmap = self._info(index)[0]
        return all(ord(ch) in cmap or _is_ignorable(ch) for ch in cluster)

    def _first_covering(self, cluster: str, *, emoji: bool) -> int | None:
        found = self._cluster_cache.get(cluster, -1)
        if found != -1 and not emoji:
            return found
        # Colour fonts first for clusters that ask for emoji presentation, otherwise last:
        # their space and digits are emoji-sized. sorted() is stable: list order otherwise.
        order = sorted(range(len(self.paths)), key=lambda i: self._color[i] != emoji)
        result = next((i for i in order if self.covers(i, cluster)), None)
        if not emoji:
            self._cluster_cache[cluster] = result
        return result

    def _assign(self, text: str) -> list[tuple[str, int | None]]:
        """Each cluster with its font index (None: no font has it)."""
        parts = clusters(text)
        fonts: list[int | None] = []
        common: list[bool] = []
        for c in parts:
            is_common = _is_common(c) and not _wants_emoji(c)
            common.append(is_common)
            fonts.append(None if is_common else self._first_covering(c, emoji=_wants_emoji(c)))
        # Script-neutral clusters (spaces, punctuation, digits) join the previous run when its
        # font has them, else the next run, so "«فلسطين»" or "فلسطين." stays in one Arabic font
        # and keeps its shaping context and look.
        n = len(parts)
        for k in range(n):
            if not common[k]:
                continue
            prev = fonts[k - 1] if k > 0 else None
            if prev is not None and not self._color[prev] and self.covers(prev, parts[k]):
                fonts[k] = prev
                continue
            nxt = next((fonts[m] for m in range(k + 1, n) if not common[m]), None)
            if nxt is not None and not self._color[nxt] and self.covers(nxt, parts[k]):
                fonts[k] = nxt
            else:
                fonts[k] = self._first_covering(parts[k], emoji=False)
        return list(zip(parts, fonts, strict=True))

    def runs(self, text: str) -> list[tuple[str, int]]:
        """Maximal substrings drawable with one font, as (text, font index), in logical order.

        Marks, ZWJ/ZWNJ, variation selectors and emoji sequences stay with their base character;
        spaces and punctuation stay with a neighbour's font. Characters no font has are kept in
        the run of the first font (validation reports them through `missing`).
        """
        out: list[tuple[str, int]] = []
        for cluster, idx in self._assign(text):
            i = idx if idx is not None else (out[-1][1] if out else 0)
            if out and out[-1][1] == i:
                out[-1] = (out[-1][0] + cluster, i)
            else:
                out.append((cluster, i))
        return out

    def missing(self, text: str) -> list[str]:
        """Characters no font in the stack can draw (each once, in order of appearance)."""
        seen: dict[str, None] = {}
        for ch in text:
            if ch in seen or ch in "\n\r\t" or _is_ignorable(ch):
                continue
            if not any(ord(ch) in self._info(i)[0] for i in range(len(self.paths))):
                seen[ch] = None
        return list(seen)

    def font(self, index: int, size: int) -> ImageFont.FreeTypeFont:
        """The cached Pillow font for `paths[index]` at `size`, with Raqm layout.

        Bitmap fonts ignore `size` and load at `native_size`; scale their output by
        `scale(index, size)`. Other faces load at `size × face_scale(index)`.
        """
        native = self._native(index)
        key = (index, native or size)
        font = self._fonts.get(key)
        if font is None:
            from PIL import ImageFont

            font = ImageFont.truetype(
                str(self.paths[index]), native or size * self._scale(index),
                layout_engine=ImageFont.Layout.RAQM,
            )
            self._fonts[key] = font
        return font


    def metrics(self, index: int, size: int) -> tuple[float, float]:
        """(ascent, descent) in px of font `index` at `size` (bitmap fonts scaled)."""
        native = self._native(index)
        asc, desc = self.font(index, size).getmetrics()
        k = size / native if native else 1.0
        return (asc * k, desc * k)

    def advance(self, index: int, size: int, text: str, rtl: bool, lang: str) -> float:
        """Advance width in px of `text` shaped by Raqm in font `index` at `size`."""
        native = self._native(index)
        key = (index, native or size, text, rtl, lang)
        w = self._advances.get(key)
        if w is None:
            if len(self._advances) > _CACHE_LIMIT:
                self._advances.clear()
            w = self.font(index, size).getlength(
                text, direction="rtl" if rtl else "ltr", language=lang or None
            )
            self._advances[key] = w
        return w * size / native if native else w

    def ink(
        self, index: int, size: int, text: str, rtl: bool, lang: str
    ) -> tuple[float, float, float, float]:
        """Ink box (l, t, r, b) of shaped `text` relative to its left baseline origin.

        Pillow's horizontal extent is the union of the advance and the ink (never narrower
        than the advance); vertically it is the glyphs' real extent, marks included.
        """
        native = self._native(index)
        key = (index, native or size, text, rtl, lang)
        box = self._inks.get(key)
        if box is None:
            if len(self._inks) > _CACHE_LIMIT:
                self._inks.clear()
            left, top, right, bottom = self.font(index, size).getbbox(
                text, anchor="ls", direction="rtl" if rtl else "ltr", language=lang or None
            )
            box = (float(left), float(top), float(right), float(bottom))
            self._inks[key] = box
        if native:
            k = size / native
            return (box[0] * k, box[1] * k, box[2] * k, box[3] * k)
        return box

    def emoji_image(self, index: int, text: str, size: int) -> tuple[Image.Image, int, int]:
        """Colour bitmap of `text` in bitmap font `index` scaled to `size`, with the offset of
        its top-left corner from the left baseline origin.

        Drawn at the strike size with embedded colour, then scaled with LANCZOS: deterministic,
        and sharper than letting a 109 px strike be sampled down by the text renderer.
        """
        key = (index, text, size)
        hit = self._emoji.get(key)
        if hit is not None:
            return hit
        from PIL import Image as PILImage
        from PIL import ImageDraw

        native = self._native(index) or size
        font = self.font(index, native)
        box = font.getbbox(text, anchor="ls")
        left, top = math.floor(box[0]), math.floor(box[1])
        right, bottom = math.ceil(box[2]), math.ceil(box[3])
        img = PILImage.new("RGBA", (max(1, right - left), max(1, bottom - top)), (0, 0, 0, 0))
        ImageDraw.Draw(img).text((-left, -top), text, font=font, anchor="ls",
                                 embedded_color=True)
        k = size / native
        scaled = img.resize((max(1, round(img.width * k)), max(1, round(img.height * k))),
                            PILImage.Resampling.LANCZOS)
        result = (scaled, round(left * k), round(top * k))
        if len(self._emoji) > 512:
            self._emoji.clear()
        self._emoji[key] = result
        return result


@functools.lru_cache(maxsize=32)
def _font_stack(paths: tuple[str, ...]) -> FontStack:
    return FontStack(paths)


def font_stack(paths: Sequence[str | Path]) -> FontStack:
    """A per-process shared FontStack for these font files (coverage and fonts loaded once)."""
    return _font_stack(tuple(str(p) for p in paths))
