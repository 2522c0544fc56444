"""Regenerate brand/logo.svg: the MADRE wordmark as vector paths (no <text>, no fonts needed).

Glyph outlines come from the vendored Inter Bold (SIL OFL 1.1) through fontTools' SVGPathPen,
letter-spaced by hand, so the logo renders identically everywhere. ``fill="currentColor"``: the
renderer substitutes the theme's text colour, so one file serves dark and light themes.

    .venv/bin/python brand/make_logo.py > brand/logo.svg
"""

from __future__ import annotations

from pathlib import Path

from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont

WORD = "MADRE"
TRACKING = 0.06  # extra space between letters, in em: wordmarks read better a little open


def main() -> None:
    font = TTFont(Path(__file__).resolve().parent.parent / "fonts" / "Inter-Bold.otf")
    gs = font.getGlyphSet()
    cmap = font.getBestCmap()
    upm = font["head"].unitsPerEm
    cap = font["OS/2"].sCapHeight
    x = 0.0
    paths = []
    for i, ch in enumerate(WORD):
        name = cmap[ord(ch)]
        pen = SVGPathPen(gs, ntos=lambda v: f"{v:.1f}".rstrip("0").rstrip("."))
        # Font units are y-up; SVG is y-down with the cap height at the top.
        gs[name].draw(TransformPen(pen, (1, 0, 0, -1, x, cap)))
        paths.append(pen.getCommands())
        x += gs[name].width + (TRACKING * upm if i < len(WORD) - 1 else 0)
    # Trim the side bearings so the viewBox is the ink (layout aligns on the ink edge).
    from fontTools.pens.boundsPen import BoundsPen

    bp = BoundsPen(gs)
    x2 = 0.0
    for i, ch in enumerate(WORD):
        name = cmap[ord(ch)]
        gs[name].draw(TransformPen(bp, (1, 0, 0, 1, x2, 0)))
        x2 += gs[name].width + (TRACKING * upm if i < len(WORD) - 1 else 0)
    xmin, _, xmax, _ = bp.bounds
    w = xmax - xmin
    print(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{xmin:.0f} 0 {w:.0f} {cap}" '
        f'width="{w / cap * 100:.0f}" height="100" fill="currentColor" role="img" '
        f'aria-label="MADRE">\n'
        "  <title>MADRE</title>\n"
        f'  <path d="{" ".join(paths)}"/>\n'
        "</svg>"
    )


if __name__ == "__main__":
    main()
