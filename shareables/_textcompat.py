"""Stand-in for text.fit/draw while text.py is a stub (greedy lines, no bidi reordering).

Used by render.py only when ``text.fit`` raises NotImplementedError, so the renderer, its
chrome and its tests can be developed in parallel with the typography module. Delete once
text.py is complete.
"""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image, ImageDraw

from .model import direction_of
from .text import Line, Run, Span, TextBlock, TextDoesNotFit, TextStyle


def smart_typography(text: str, lang: str) -> str:
    return text.replace("'", "\u2019")


def parse_markup(text: str, highlight: Sequence[str] = ()) -> list[Span]:
    out: list[Span] = []
    for i, part in enumerate(text.split("**")):
        if part:
            out.append(Span(part, accent=i % 2 == 1))
    return out


def _plain(spans: Sequence[Span] | str) -> str:
    return spans if isinstance(spans, str) else "".join(s.text for s in spans)


def layout(spans: Sequence[Span] | str, style: TextStyle, size: int, box_w: int) -> TextBlock:
    text = _plain(spans)
    st = style.fonts
    direction = style.direction or direction_of(style.lang)
    lines: list[Line] = []
    lh = round(size * style.line_height)
    y = 0.0

    def width(s: str) -> float:
        return sum(
            st.font(i, size).getlength(t) * st.scale(i, size) for t, i in st.runs(s)
        )

    for para in text.split("\n"):
        words = para.split()
        cur = ""
        for w in words:
            cand = f"{cur} {w}".strip()
            if cur and width(cand) > box_w:
                lines.append(_line(cur, width(cur), y, size, box_w, style, direction))
                y += lh
                cur = w
            else:
                cur = cand
        lines.append(_line(cur, width(cur), y, size, box_w, style, direction))
        y += lh
    h = round(y - lh + size * 1.3)
    return TextBlock(size, tuple(lines), box_w, h, (0, 0, box_w, h), direction, style)


def _line(s: str, w: float, y: float, size: int, box_w: int, style: TextStyle,
          direction: str) -> Line:
    align = style.align
    if align == "center":
        x = (box_w - w) / 2
    elif (align == "start") == (direction == "rtl"):
        x = box_w - w
    else:
        x = 0.0
    runs = []
    rx = x
    for t, i in style.fonts.runs(s):
        rw = style.fonts.font(i, size).getlength(t) * style.fonts.scale(i, size)
        runs.append(Run(t, i, direction == "rtl", False, rx, rw))
        rx += rw
    if direction == "rtl":
        # Crude visual order for a stand-in: reverse runs within the line.
        rev, rx = [], x
        for r in reversed(runs):
            rev.append(Run(r.text, r.font_index, r.rtl, r.accent, rx, r.width))
            rx += r.width
        runs = rev
    return Line(tuple(runs), x, y + size, w, s)


def fit(spans: Sequence[Span] | str, style: TextStyle, box_w: int, box_h: int) -> TextBlock:
    for size in range(style.max_size, style.min_size - 1, -2):
        b = layout(spans, style, size, box_w)
        if b.height <= box_h and all(ln.width <= box_w for ln in b.lines):
            return b
    raise TextDoesNotFit(len(_plain(spans)) // 3, min_size=style.min_size, box=(box_w, box_h))


def draw(image: Image.Image, block: TextBlock, x: int, y: int, fill: object,
         accent_fill: object = None) -> tuple[int, int, int, int]:
    d = ImageDraw.Draw(image)
    st = block.style.fonts
    boxes = []
    for ln in block.lines:
        for r in ln.runs:
            f = st.font(r.font_index, block.size)
            if st.is_color(r.font_index):
                continue
            pos = (x + r.x, y + ln.baseline)
            d.text(pos, r.text, font=f, fill=fill, anchor="ls",  # type: ignore[arg-type]
                   direction="rtl" if r.rtl else "ltr")
            boxes.append(d.textbbox(pos, r.text, font=f, anchor="ls",
                                    direction="rtl" if r.rtl else "ltr"))
    if not boxes:
        return (x, y, x, y)
    return (
        int(min(b[0] for b in boxes)), int(min(b[1] for b in boxes)),
        int(max(b[2] for b in boxes)), int(max(b[3] for b in boxes)),
    )
