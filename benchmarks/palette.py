"""Palette PNG against truecolour, per platform, on the shipped designs.

    .venv/bin/python benchmarks/palette.py

For every PNG-first platform and every shipped design's first variant, the renderer's image is
encoded both ways (render/encode.py: `_palette` then zlib-ng, and truecolour with zlib-ng)
and the palette version is compared with the render: worst PSNR, largest channel error, how
many images fell back to truecolour, bytes and CPU. The encoder keeps a palette PNG only
within PALETTE_MAX_ERROR on every channel of every pixel (and PALETTE_MAX_COLOURS colours).
"""

from __future__ import annotations

import io
import math
import sys
import time
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shareables.platforms import PLATFORMS  # noqa: E402
from shareables.project.design import load_designs  # noqa: E402
from shareables.project.settings import load_settings  # noqa: E402
from shareables.render import compose, encode  # noqa: E402
from shareables.render.resources import Resources  # noqa: E402


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=0)
    return encode._deflate_png(buf.getvalue())


def main() -> None:
    settings = load_settings(ROOT)
    designs, _ = load_designs(settings.project_dir, settings)
    res = Resources()
    print(f"threshold: max channel error <= {encode.PALETTE_MAX_ERROR}, "
          f"<= {encode.PALETTE_MAX_COLOURS} colours")
    print("| platform | images | palette | worst PSNR | max error | KB palette / truecolour "
          "| ms palette / truecolour |\n|---|---|---|---|---|---|---|")
    for pid, p in PLATFORMS.items():
        if not p.formats or p.formats[0] != "png":
            continue
        n = kept = 0
        worst_psnr, worst_err = math.inf, 0
        size_p = size_t = 0
        ms_p = ms_t = 0.0
        for d in designs:
            v = d.variants[0]
            if v.background.image is not None:
                continue  # photos go JPEG first
            for img in compose.render_variant(v, p, res)[:1]:
                img = img.convert("RGB")
                n += 1
                t0 = time.process_time()
                pal = encode._palette(img)
                data_p = png(pal)
                t1 = time.process_time()
                data_t = png(img)
                t2 = time.process_time()
                ms_p += (t1 - t0) * 1000
                ms_t += (t2 - t1) * 1000
                size_t += len(data_t)
                if pal is img:
                    size_p += len(data_t)
                    continue
                kept += 1
                size_p += len(data_p)
                diff = ImageChops.difference(img, pal.convert("RGB"))
                mse = sum(ImageStat.Stat(diff).sum2) / (3 * img.width * img.height)
                worst_psnr = min(worst_psnr, 10 * math.log10(255**2 / mse) if mse else 99.0)
                worst_err = max(worst_err, max(band[1] for band in diff.getextrema()))
        print(f"| {pid} | {n} | {kept} | {worst_psnr:.1f} dB | {worst_err} | "
              f"{size_p / n / 1000:.0f} / {size_t / n / 1000:.0f} | "
              f"{ms_p / n:.1f} / {ms_t / n:.1f} |")


if __name__ == "__main__":
    main()
