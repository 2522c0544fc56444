"""Composition measurements shared by the property tests and the contact-sheet script.

Loads every shipped design and the corpus in tests/render/corpus/ through the real loader,
renders them on every platform, and measures each slide's main group against its content box:

- ``fill_w`` / ``fill_h``: the main text's ink width / height over the ``main`` box's;
- ``group_h``: the whole main group's (mark, title, text, attribution, prompt, handle) ink
  height over the ``main`` box height;
- ``empty_below``: the share of the ``main`` box left empty under the group's ink.

Run as a script for a table (``python tests/render/composition.py``) or contact sheets
(``python tests/render/composition.py sheets docs/contact-sheets``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from shareables.errors import RenderError  # noqa: E402
from shareables.platforms import PLATFORMS  # noqa: E402
from shareables.project.design import load_designs  # noqa: E402
from shareables.project.model import Variant  # noqa: E402
from shareables.project.settings import load_settings  # noqa: E402
from shareables.render import compose  # noqa: E402
from shareables.render.resources import Resources  # noqa: E402

CHROME = ("counter", "credit")
"""Roles outside the main group (the footer handle is chrome too, where a footer has one)."""


def shipped_variants() -> list[Variant]:
    settings = load_settings(ROOT)
    designs, errors = load_designs(ROOT, settings)
    assert not errors, errors
    return [v for d in designs for v in d.variants]


def corpus_variants() -> list[Variant]:
    settings = load_settings(ROOT)
    designs, errors = load_designs(ROOT, settings, sorted(CORPUS.glob("*.yaml")))
    assert not errors, errors
    return [v for d in designs for v in d.variants]


def platforms_for(v: Variant) -> list[str]:
    return [pid for pid, p in PLATFORMS.items() if v.kind == "carousel" or not p.document]


@dataclass
class Measure:
    key: str
    platform: str
    slide: int
    role: str
    size: int  # the main text's size
    bold: bool
    fill_w: float
    fill_h: float
    group_h: float
    empty_below: float
    lines: int


def main_items(s: compose.Slide) -> list[compose.TextItem]:
    footer_handle = "handle" in s.layout.boxes
    return [it for it in s.items if it.role not in CHROME
            and not (it.role == "handle" and footer_handle)]


def hero(s: compose.Slide) -> compose.TextItem | None:
    """The main text of a slide: the text, else the prompt, else the title, else the handle."""
    items = main_items(s)
    for role in ("text", "prompt", "title", "handle"):
        for it in items:
            if it.role == role:
                return it
    return None


def measure(key: str, pid: str, slides: list[compose.Slide]) -> list[Measure]:
    out = []
    for i, s in enumerate(slides):
        main = s.layout.boxes["main"]
        h = hero(s)
        if h is None:
            continue
        items = main_items(s)
        inks = [it.ink for it in items] + [b.ltrb for k, b in getattr(s, "marks", [])
                                           if k in ("quote", "rule")]
        top = min(t for _, t, _, _ in inks)
        bottom = max(b for _, _, _, b in inks)
        lines = h.lines if hasattr(h, "lines") else 0
        out.append(Measure(
            key, pid, i + 1, s.role, h.size, h.bold,
            (h.ink[2] - h.ink[0]) / main.w, (h.ink[3] - h.ink[1]) / main.h,
            (bottom - top) / main.h, max(0, main.bottom - bottom) / main.h, lines))
    return out


def render_all(variants: list[Variant], res: Resources | None = None,
               errors: list[str] | None = None) -> dict[tuple[str, str], list[compose.Slide]]:
    """Every variant on every platform; with ``errors``, render errors are collected there."""
    res = res or Resources()
    out = {}
    for v in variants:
        for pid in platforms_for(v):
            try:
                out[(v.key, pid)] = compose.render_slides(v, PLATFORMS[pid], res)
            except RenderError as e:
                if errors is None:
                    raise
                errors.append(f"{v.key} {pid}: {e}")
    return out


def table(rendered: dict[tuple[str, str], list[compose.Slide]]) -> list[Measure]:
    rows: list[Measure] = []
    for (key, pid), slides in rendered.items():
        rows.extend(measure(key, pid, slides))
    return rows


def summary(rows: list[Measure]) -> str:
    import statistics as st
    out = []
    content = [r for r in rows if r.role == "content"]
    singles = [r for r in rows if r.role == "single"]
    if content:
        out.append(f"carousel content slides: {len(content)}; group height mean "
                   f"{st.mean(r.group_h for r in content):.2f}, min "
                   f"{min(r.group_h for r in content):.2f}; empty below mean "
                   f"{st.mean(r.empty_below for r in content):.2f}, max "
                   f"{max(r.empty_below for r in content):.2f}; text px mean "
                   f"{st.mean(r.size for r in content):.1f}")
    for role in ("single", "cover", "closing"):
        rs = [r for r in rows if r.role == role]
        if rs:
            out.append(f"{role}: {len(rs)}; group height mean "
                       f"{st.mean(r.group_h for r in rs):.2f} min {min(r.group_h for r in rs):.2f}"
                       f"; width fill mean {st.mean(r.fill_w for r in rs):.2f}; empty below max "
                       f"{max(r.empty_below for r in rs):.2f}")
    over = [r for r in rows if r.empty_below > 0.35]
    out.append(f"slides with > 35 % empty below the text: {len(over)} of {len(rows)}")
    faces: dict[str, set[bool]] = {}
    for r in singles:
        faces.setdefault(r.key, set()).add(r.bold)
    out.append("designs switching face across platforms: "
               + str(sorted(k for k, f in faces.items() if len(f) > 1)))
    return "\n".join(out)


def sheets(rendered: dict[tuple[str, str], list[compose.Slide]], folder: Path,
           width: int = 2400) -> list[Path]:
    """One JPEG per variant: each platform's slides left to right (200 px tall, labelled),
    platforms packed into rows up to ``width`` px."""
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    by_key: dict[str, list[tuple[str, list[compose.Slide]]]] = {}
    for (key, pid), slides in rendered.items():
        by_key.setdefault(key, []).append((pid, slides))
    written = []
    row_h, pad, label_h = 170, 10, 16
    for key, groups in by_key.items():
        tiles = []  # (pid, [images]) each group stays together on one row
        for pid, slides in groups:
            ims = [s.image.resize((round(s.image.width * row_h / s.image.height), row_h))
                   for s in slides]
            tiles.append((pid, ims, sum(i.width + 4 for i in ims)))
        rows: list[list[tuple[str, list[Image.Image], int]]] = [[]]
        used = 0
        for t in tiles:
            if rows[-1] and used + t[2] + pad > width:
                rows.append([])
                used = 0
            rows[-1].append(t)
            used += t[2] + pad
        w = max(sum(t[2] + pad for t in r) for r in rows) + pad
        sheet = Image.new("RGB", (w, len(rows) * (row_h + label_h + pad) + pad), "#dddddd")
        d = ImageDraw.Draw(sheet)
        y = pad
        for r in rows:
            x = pad
            for pid, ims, tw in r:
                d.text((x, y), pid, fill="#000000")
                xx = x
                for im in ims:
                    sheet.paste(im, (xx, y + label_h))
                    xx += im.width + 4
                x += tw + pad
            y += row_h + label_h + pad
        path = folder / (key.replace("/", "--") + ".jpg")
        sheet.save(path, quality=60)
        written.append(path)
    return written


if __name__ == "__main__":
    which = sys.argv[2] if len(sys.argv) > 2 else "all"
    vs = []
    if which in ("all", "shipped"):
        vs += shipped_variants()
    if which in ("all", "corpus"):
        vs += corpus_variants()
    errs: list[str] = []
    rendered = render_all(vs, errors=errs)
    rows = table(rendered)
    for e in errs:
        print("ERROR", e)
    if len(sys.argv) > 1 and sys.argv[1] == "sheets":
        for p in sheets(rendered, Path(sys.argv[3] if len(sys.argv) > 3 else "/tmp/sheets")):
            print(p)
    elif len(sys.argv) > 1 and sys.argv[1] == "rows":
        for r in rows:
            print(f"{r.key:45} {r.platform:20} {r.slide:2} {r.role:8} {r.size:4} "
                  f"{'B' if r.bold else 'R'} w{r.fill_w:.2f} h{r.fill_h:.2f} "
                  f"g{r.group_h:.2f} e{r.empty_below:.2f}")
    print(summary(rows))
