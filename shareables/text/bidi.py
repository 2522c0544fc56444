"""Bidirectional text: paragraph direction and UAX #9 embedding levels, and visual run order.

Shaping within a run is Raqm's job (HarfBuzz + FriBiDi inside Pillow); this module decides which
runs are right-to-left and in what order a line's runs sit, because per-glyph font fallback
splits a line into several draw calls that Raqm never sees together.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from ..project.model import direction_of


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


def _bidi_classes(text: str) -> list[str]:
    classes = [unicodedata.bidirectional(ch) or "ON" for ch in text]
    # A handle or hashtag takes the direction of its name, so "@madrespeaks" at the end of an
    # Arabic sentence reads "@madrespeaks", not "madrespeaks@" (what plain UAX #9 gives).
    for i, ch in enumerate(text[:-1]):
        if ch in "@#" and classes[i + 1] in ("L", "R", "AL"):
            classes[i] = "R" if classes[i + 1] == "AL" else classes[i + 1]
    return classes


def bidi_levels(text: str, rtl: bool) -> list[int]:
    """Resolved UAX #9 embedding levels (rules W1–W7, N1–N2, I1–I2) for one paragraph.

    Our text has no explicit embedding controls, so the paragraph is one level run. We resolve
    levels ourselves because python-bidi's public API returns reordered strings, not levels,
    and its legacy module drops ZWJ/ZWNJ, which would misalign indices with the text.
    Boundary-neutral characters (ZWJ, ZWNJ, marks) take their neighbour's class.
    """
    base = 1 if rtl else 0
    sor = "R" if rtl else "L"
    t = _bidi_classes(text)
    n = len(t)
    prev = sor
    for i in range(n):  # W1 (and X9: boundary neutrals behave like marks)
        if t[i] in ("NSM", "BN"):
            t[i] = prev if prev not in ("LRI", "RLI", "FSI", "PDI") else "ON"
        elif t[i] in ("LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"):
            t[i] = "ON"
        prev = t[i]
    strong = sor
    for i in range(n):  # W2, W3
        if t[i] == "EN" and strong == "AL":
            t[i] = "AN"
        if t[i] in ("L", "R", "AL"):
            strong = t[i]
    t = ["R" if c == "AL" else c for c in t]
    for i in range(1, n - 1):  # W4
        if t[i] == "ES" and t[i - 1] == t[i + 1] == "EN":
            t[i] = "EN"
        elif t[i] == "CS" and t[i - 1] == t[i + 1] and t[i - 1] in ("EN", "AN"):
            t[i] = t[i - 1]
    for i in range(n):  # W5
        if t[i] == "EN":
            j = i - 1
            while j >= 0 and t[j] == "ET":
                t[j] = "EN"
                j -= 1
            j = i + 1
            while j < n and t[j] == "ET":
                t[j] = "EN"
                j += 1
    t = ["ON" if c in ("ET", "ES", "CS") else c for c in t]  # W6
    strong = sor
    for i in range(n):  # W7
        if t[i] == "EN" and strong == "L":
            t[i] = "L"
        if t[i] in ("L", "R"):
            strong = t[i]
    i = 0
    while i < n:  # N1, N2
        if t[i] in ("L", "R", "EN", "AN"):
            i += 1
            continue
        j = i
        while j < n and t[j] not in ("L", "R", "EN", "AN"):
            j += 1
        before = sor if i == 0 else ("R" if t[i - 1] in ("R", "EN", "AN") else "L")
        after = sor if j == n else ("R" if t[j] in ("R", "EN", "AN") else "L")
        fill = before if before == after else sor
        t[i:j] = [fill] * (j - i)
        i = j
    levels = []
    for c in t:  # I1, I2
        if base == 0:
            levels.append(1 if c == "R" else 2 if c in ("EN", "AN") else 0)
        else:
            levels.append(2 if c in ("L", "EN", "AN") else 1)
    return levels


def visual_order(levels: Sequence[int]) -> list[int]:
    """Indices of runs in visual (left-to-right) order, by UAX #9 rule L2."""
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
