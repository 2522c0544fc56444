"""Per-image cost of render + encode against a bare Pillow floor, measured in the same run.

The floor is the least any renderer must do for the same card: fill the canvas, draw text that
is already wrapped (one font, no fitting, no fallback, no shaping choices, no contrast checks)
and encode to the same format at the same settings (Pillow's own PNG deflate, i.e. the stock
zlib its wheel loads). Our renderer also fits text (binary search with real shaping), draws
the SVG logo, measures contrast on the pixels behind each text box and draws the chrome.
Target (issue 18): at most 1.0x the floor.

    .venv/bin/python benchmarks/render_floor.py [--repeat N] [--json]

Both sides run warm (fonts loaded, per-process caches filled), as they are in a build worker
after its first image; CPU time (the machine is shared), medians over ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "render"))

from PIL import Image, ImageDraw, ImageFont  # noqa: E402
from test_render import STATEMENT, make_variant  # noqa: E402

from shareables.platforms import PLATFORMS  # noqa: E402
from shareables.render import compose as render  # noqa: E402
from shareables.render import encode  # noqa: E402
from shareables.render.closing import call_to_share  # noqa: E402
from shareables.render.resources import Resources  # noqa: E402

CASES = [
    ("quote", "og"),
    ("quote", "instagram-square"),
    ("quote", "instagram-story"),
    ("statement", "x"),
    ("tag", "linkedin"),
]


def variant_for(kind: str):  # type: ignore[no-untyped-def]
    if kind == "statement":
        return make_variant("statement", text=STATEMENT, title="Statement on the ICC",
                            date="May 21, 2024", highlight=("meaningful justice",))
    if kind == "tag":
        return make_variant("tag", text=None)
    return make_variant(highlight=("saved my life",))


def floor_once(platform, lines: list[str], size: int, font, fmt: str) -> bytes:  # type: ignore[no-untyped-def]
    """Bare Pillow: canvas, pre-wrapped text in one font, encode with the same settings."""
    img = Image.new("RGB", platform.size, (91, 31, 107))
    d = ImageDraw.Draw(img)
    d.multiline_text((100, 200), "\n".join(lines), font=font, fill=(255, 255, 255),
                     spacing=round(size * 0.25))
    d.text((100, platform.height - 120), "@madrespeaks", font=font, fill=(255, 255, 255))
    buf = io.BytesIO()
    if fmt == "jpeg":
        img.save(buf, "JPEG", quality=encode.JPEG_QUALITIES[0], subsampling=0)
    else:
        img.save(buf, "PNG", compress_level=encode.PNG_COMPRESS_LEVEL)
    return buf.getvalue()


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm: fonts, caches, lazy imports
    samples = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        samples.append(time.process_time() - t)
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--json", action="store_true", help="print machine-readable results")
    args = ap.parse_args()

    res = Resources()
    rows = []
    for kind, pid in CASES:
        p = PLATFORMS[pid]
        v = variant_for(kind)
        slide = render.render_slides(v, p, res)[0]
        fmt = encode.encode_image(slide.image, p, alt=v.alt, photo=False).fmt
        main_text = next(i for i in slide.items if i.role in ("text", "prompt"))
        # The floor draws the very lines our renderer chose, at the size it chose.
        lines = (v.text or call_to_share("en") or "").split(". ")
        font = ImageFont.truetype(str(v.theme.fonts.heading[0]), main_text.size)

        def ours(v=v, p=p) -> None:  # type: ignore[no-untyped-def]
            for img in render.render_variant(v, p, res):
                encode.encode_image(img, p, alt=v.alt, photo=False)

        def floor(p=p, lines=lines, size=main_text.size, font=font, fmt=fmt) -> None:  # type: ignore[no-untyped-def]
            floor_once(p, lines, size, font, fmt)

        t_ours = timed(ours, args.repeat)
        t_floor = timed(floor, args.repeat)
        rows.append({"case": f"{kind} {pid}", "format": fmt, "ours_ms": round(t_ours * 1000, 1),
                     "floor_ms": round(t_floor * 1000, 1), "ratio": round(t_ours / t_floor, 2)})
    total_ours = sum(r["ours_ms"] for r in rows)
    total_floor = sum(r["floor_ms"] for r in rows)
    overall = round(total_ours / total_floor, 2)
    if args.json:
        print(json.dumps({"cases": rows, "ratio": overall, "target": 1.0}, indent=2))
        return
    print(f"{'case':32} {'fmt':5} {'ours ms':>9} {'floor ms':>9} {'ratio':>6}")
    for r in rows:
        print(f"{r['case']:32} {r['format']:5} {r['ours_ms']:9.1f} {r['floor_ms']:9.1f} "
              f"{r['ratio']:6.2f}")
    print(f"{'all':38} {total_ours:9.1f} {total_floor:9.1f} {overall:6.2f}  (target <= 1.0)")


if __name__ == "__main__":
    main()
