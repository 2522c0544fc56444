"""Bidirectional text: paragraph direction, UAX #9 embedding levels, visual run order.

The levels come from GNU FriBiDi — the same library Raqm (inside Pillow) uses to order glyphs
within a run — called through its stable C ABI (`fribidi_get_par_embedding_levels_ex`, the
full UAX #9 of Unicode 6.3+: explicit embeddings and isolates, weak and neutral types, and N0
paired brackets, so "(MADRE)" keeps its brackets in an Arabic sentence).

Why levels and not a reordered string: per-glyph font fallback splits a line into several
draw calls (Naskh for the Arabic, Noto Sans for a Latin name, an emoji font), which Raqm never
sees together. So we ask the library for the resolved level of every character of the
*paragraph* (rules X1–I2 need the whole paragraph: a bracket pair or a number's context may
span a line break), cut each line into runs of one font, one level and one colour, and order
those runs per line with rule L2 (`visual_order`). Shaping inside a run, mirroring included
(L4), is HarfBuzz's. python-bidi (the Rust unicode-bidi crate) only returns the reordered
string of a whole paragraph, or its levels as a debug dump per UTF-8 byte — not an API;
FriBiDi's C API gives levels per code point, and lets us adjust one input class first:

The one deliberate deviation from UAX #9: a handle or hashtag takes the direction of its name
(``@madrespeaks`` at the end of an Arabic sentence reads "@madrespeaks", where plain UAX #9 and
browsers give "madrespeaks@"), as if the handle were wrapped in an isolate. The class of the
``@``/``#`` is set to that of the letter after it before the levels are resolved.

Paragraph direction (`paragraph_rtl`): the variant's direction, unless the paragraph has strong
characters of the other direction only — a Latin name, role or credit in an Arabic variant is
laid out left to right ("Dr. Salwa!", not "!Dr. Salwa"), as `dir=auto` (first strong) would.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import unicodedata
from collections.abc import Sequence

from ..errors import RenderError
from ..project.model import direction_of

# fribidi-types.h / fribidi-bidi-types.h
_MASK_RTL = 0x1
_TYPE_LTR = 0x110
_TYPE_RTL = 0x111
_PAR_LTR = _TYPE_LTR
_PAR_RTL = _TYPE_RTL
_STRONG = 0x10
_LETTER = 0x100


SONAME = "libfribidi.so.0"


def _open_fribidi() -> ctypes.CDLL:
    """The library by its soname first: `ctypes.util.find_library` runs `ldconfig -p` (and
    gcc where that fails) on every call, ~1.5 ms of each build for an answer we know."""
    try:
        return ctypes.CDLL(SONAME)
    except OSError:
        return ctypes.CDLL(ctypes.util.find_library("fribidi") or SONAME)


@functools.cache
def _fribidi() -> ctypes.CDLL:
    try:
        lib = _open_fribidi()
    except OSError as exc:
        raise RenderError(
            "GNU FriBiDi (libfribidi) is not installed, so right-to-left text cannot be ordered",
            hint="install libfribidi0 (apt) — Pillow's Raqm layout needs it too",
        ) from exc
    u32p = ctypes.POINTER(ctypes.c_uint32)
    lib.fribidi_get_bidi_types.argtypes = [u32p, ctypes.c_int, u32p]
    lib.fribidi_get_bidi_types.restype = None
    lib.fribidi_get_bracket_types.argtypes = [u32p, ctypes.c_int, u32p, u32p]
    lib.fribidi_get_bracket_types.restype = None
    lib.fribidi_get_par_embedding_levels_ex.argtypes = [
        u32p, u32p, ctypes.c_int, u32p, ctypes.POINTER(ctypes.c_int8)]
    lib.fribidi_get_par_embedding_levels_ex.restype = ctypes.c_int8
    return lib


def _strong(text: str) -> tuple[bool, bool]:
    """(has left-to-right strong characters, has right-to-left ones)."""
    ltr = rtl = False
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            ltr = True
        elif kind in ("R", "AL"):
            rtl = True
    return ltr, rtl


def base_direction(text: str, lang: str | None) -> str:
    """Paragraph direction: from the language when known, else from the first strong char."""
    code = (lang or "").split("-")[0].lower()
    if code and code not in ("und", "zxx", "mul"):
        return direction_of(code)
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def paragraph_rtl(text: str, rtl: bool) -> bool:
    """The direction one paragraph is laid out in, given the variant's (`rtl`).

    A paragraph whose strong characters are all of the other direction takes that direction
    (first strong, like `dir=auto`); a mixed or neutral one keeps the variant's.
    """
    ltr_chars, rtl_chars = _strong(text)
    if rtl and ltr_chars and not rtl_chars:
        return False
    if not rtl and rtl_chars and not ltr_chars:
        return True
    return rtl


def bidi_levels(text: str, rtl: bool) -> list[int]:
    """Resolved UAX #9 embedding levels, one per character, for one paragraph (FriBiDi).

    `rtl` is the paragraph's base direction (see `paragraph_rtl`). Handles and hashtags take
    their name's direction (the module docstring's one deviation).
    """
    n = len(text)
    if n == 0:
        return []
    lib = _fribidi()
    chars = (ctypes.c_uint32 * n)(*(ord(c) for c in text))
    types = (ctypes.c_uint32 * n)()
    lib.fribidi_get_bidi_types(chars, n, types)
    for i in range(n - 1):
        if text[i] in "@#" and types[i + 1] & _STRONG and types[i + 1] & _LETTER:
            types[i] = _TYPE_RTL if types[i + 1] & _MASK_RTL else _TYPE_LTR
    brackets = (ctypes.c_uint32 * n)()
    lib.fribidi_get_bracket_types(chars, n, types, brackets)
    par = ctypes.c_uint32(_PAR_RTL if rtl else _PAR_LTR)
    levels = (ctypes.c_int8 * n)()
    if lib.fribidi_get_par_embedding_levels_ex(types, brackets, n, ctypes.byref(par),
                                               levels) == 0:
        raise RenderError("FriBiDi could not resolve the text's direction (out of memory?)")
    return list(levels)


def visual_order(levels: Sequence[int]) -> list[int]:
    """Indices of runs (or characters) in visual, left-to-right order, by UAX #9 rule L2.

    From the highest level down to the lowest odd level on the line, every maximal sequence at
    that level or higher is reversed.
    """
    order = list(range(len(levels)))
    if not levels:
        return order
    top = max(levels)
    lowest_odd = min((lv for lv in levels if lv % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return order
