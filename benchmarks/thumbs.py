"""Page previews (render/thumbs.py): libswscale against Pillow's bicubic, quality and CPU.

    .venv/bin/python benchmarks/thumbs.py [--generated DIR] [--montage DIR]

Frames: the shipped designs (English, Arabic) and, with `--generated`, a project written by
generate.py (adds Spanish, Persian, Hebrew), the first image of each variant (two per
kind and language from the shipped designs, one from the generated ones) on the platform each
shape is previewed by. For each frame and each of the shape's widths the final JPEG is decoded
and compared with a Lanczos resize of the full frame (Pillow, no JPEG): PSNR over the image,
PSNR and the largest channel error over text edges (pixels where the reference's edge filter
exceeds 48), and the JPEG's own loss (the decoded file against the pixels it encoded). CPU is
a whole set (resizes and encodes), per strategy. `--montage DIR` writes, per frame, the text
area of each path's 1x and 2x at 200 % side by side (reference | Pillow bicubic | libswscale).
"""

from __future__ import annotations

import argparse
import io
import math
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageFilter, ImageStat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shareables.platforms import PLATFORMS  # noqa: E402
from shareables.project.design import load_designs  # noqa: E402
from shareables.project.settings import load_settings  # noqa: E402
from shareables.render import compose, thumbs  # noqa: E402
from shareables.render.resources import Resources  # noqa: E402
from shareables.site.shapes import previewed, thumb_widths  # noqa: E402


def frames(roots: list[Path]) -> list[tuple[str, Image.Image, tuple[int, ...]]]:
    res = Resources()
    out = []
    for root in roots:
        settings = load_settings(root)
        designs, _ = load_designs(settings.project_dir, settings)
        per = 2 if root == ROOT else 1
        seen: dict[tuple[str, str], int] = defaultdict(int)
        for d in designs:
            for v in d.variants:
                if seen[v.lang, d.kind] >= per:
                    continue
                seen[v.lang, d.kind] += 1
                for pid in sorted(previewed(v.platforms, v.kind)):
                    p = PLATFORMS[pid]
                    img = compose.render_variant(v, p, res)[0].convert("RGB")
                    out.append((f"{d.id}-{v.lang}-{pid}", img, thumb_widths(p)))
    return out


def psnr(a: Image.Image, b: Image.Image, mask: Image.Image | None = None) -> float:
    rms = ImageStat.Stat(ImageChops.difference(a, b), mask).rms
    mse = sum(x * x for x in rms) / 3
    return 99.0 if mse == 0 else 10 * math.log10(255**2 / mse)


def max_error(a: Image.Image, b: Image.Image, mask: Image.Image) -> int:
    diff = Image.composite(ImageChops.difference(a, b), Image.new("RGB", a.size), mask)
    return max(hi for _lo, hi in diff.getextrema())


def text_edges(ref: Image.Image) -> Image.Image:
    return ref.convert("L").filter(ImageFilter.FIND_EDGES).point(lambda v: 255 if v > 48 else 0)


def strategy(name: str) -> Any:
    """jpeg_previews with PyAV (libswscale) or without it (Pillow's bicubic)."""
    def run(img: Image.Image, widths: tuple[int, ...]) -> list[tuple[int, int, bytes]]:
        saved = list(thumbs._AV)
        thumbs._AV[:] = [None] if name == "pillow" else []
        try:
            return thumbs.jpeg_previews(img, widths)
        finally:
            thumbs._AV[:] = saved
    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--generated", type=Path, help="also a generate.py project (more scripts)")
    ap.add_argument("--montage", type=Path, help="write 200 %% crops of 1x and 2x here")
    args = ap.parse_args()
    roots = [ROOT] + ([args.generated] if args.generated else [])
    fr = frames(roots)
    names = ("pillow", "swscale")
    stats: dict[str, dict[str, list[float]]] = {n: defaultdict(list) for n in names}
    own: dict[int, list[float]] = defaultdict(list)
    between: dict[int, list[float]] = defaultdict(list)
    for label, img, widths in fr:
        refs = {w: img.resize((w, max(1, round(img.height * w / img.width))),
                              Image.Resampling.LANCZOS) for w in widths}
        crops = []
        finals: dict[str, list[Image.Image]] = {}
        for density, w in enumerate(sorted(widths), start=1):
            buf = io.BytesIO()  # the JPEG's own loss: the reference itself, encoded alike
            quality = thumbs.SMALLEST_QUALITY if density == 1 else thumbs.DENSE_QUALITY
            refs[w].save(buf, "JPEG", quality=quality, optimize=True)
            own[density].append(psnr(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"),
                                     refs[w]))
        for name in names:
            run = strategy(name)
            t0 = time.process_time()
            out = run(img, widths)
            stats[name]["ms"].append((time.process_time() - t0) * 1000)
            stats[name]["kb"].append(sum(len(d) for _w, _h, d in out) / 1024)
            for density, (w, _h, data) in enumerate(out, start=1):
                final = Image.open(io.BytesIO(data)).convert("RGB")
                finals.setdefault(name, []).append(final)
                edges = text_edges(refs[w])
                s = stats[name]
                s[f"psnr{density}"].append(psnr(final, refs[w]))
                s[f"edge{density}"].append(psnr(final, refs[w], edges))
                s[f"max{density}"].append(max_error(final, refs[w], edges))
                if density <= 2:
                    crops.append((density, name, final))
        for density, (old, new) in enumerate(zip(*finals.values(), strict=True), start=1):
            between[density].append(psnr(old, new))
        if args.montage:
            montage(args.montage, label, refs, crops)
    print(f"{len(fr)} preview sets; PSNR of the final JPEG against Lanczos from the full frame "
          "(mean / worst), text edges (worst PSNR, largest channel error)")
    for name in names:
        s = stats[name]
        cells = [f"{d}x {statistics.mean(s[f'psnr{d}']):.2f} / {min(s[f'psnr{d}']):.2f} dB, "
                 f"edges {min(s[f'edge{d}']):.2f} dB, max {max(s[f'max{d}']):.0f}"
                 for d in (1, 2, 3)]
        print(f"  {name:8s} {statistics.mean(s['ms']):5.1f} ms/set "
              f"{statistics.mean(s['kb']):5.1f} KB/set | " + " | ".join(cells))
    print("  the JPEG's own loss (the reference encoded alike): " + " | ".join(
        f"{d}x {statistics.mean(own[d]):.2f} / {min(own[d]):.2f} dB" for d in (1, 2, 3)))
    print("  pillow's final files against libswscale's: " + " | ".join(
        f"{d}x {statistics.mean(between[d]):.2f} / {min(between[d]):.2f} dB" for d in (1, 2, 3)))


def montage(where: Path, label: str, refs: dict[int, Image.Image],
            crops: list[tuple[int, str, Image.Image]]) -> None:
    """Reference | Pillow | libswscale, for 1x then 2x: the middle third, at 200 %."""
    where.mkdir(parents=True, exist_ok=True)
    rows = []
    for density in (1, 2):
        row = [img for d, _n, img in crops if d == density]
        ref = refs[sorted(refs)[density - 1]]
        row.insert(0, ref)
        w, h = ref.size
        box = (w // 6, h // 3, w - w // 6, 2 * h // 3)
        rows.append([im.crop(box).resize(((box[2] - box[0]) * 2, (box[3] - box[1]) * 2),
                                         Image.Resampling.NEAREST) for im in row])
    width = max(sum(im.width for im in row) for row in rows)
    sheet = Image.new("RGB", (width, sum(row[0].height for row in rows)), "white")
    y = 0
    for row in rows:
        x = 0
        for im in row:
            sheet.paste(im, (x, y))
            x += im.width
        y += row[0].height
    sheet.save(where / f"{label}.png")


if __name__ == "__main__":
    main()
