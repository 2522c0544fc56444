"""Floor for one card: Pillow fills a canvas, draws pre-wrapped text, encodes PNG.

No layout search, no fitting, no I/O but the encode. Anything a real renderer does costs more
than this. (shared/peers/pillow_floor.py, line-wrapped for this repository's linters.)
usage: python pillow_floor.py N WIDTH HEIGHT FONT_TTF [compress_level]
"""
import io
import json
import os
import statistics
import sys
import textwrap
import time

from PIL import Image, ImageDraw, ImageFont

n, w, h, font_path = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
level = int(sys.argv[5]) if len(sys.argv) > 5 else 6
quotes = json.load(open(os.environ.get("QUOTES_FILE")  # the runner's list, else the five
                        or __file__.rsplit("/", 1)[0] + "/quotes.json", encoding="utf-8"))
big, small = ImageFont.truetype(font_path, 64), ImageFont.truetype(font_path, 36)
times = []
for i in range(n):
    q = quotes[i % len(quotes)]
    t0 = time.perf_counter()
    im = Image.new("RGB", (w, h), "#5b1f6b")
    d = ImageDraw.Draw(im)
    d.multiline_text((96, 200), "\n".join(textwrap.wrap(f"\u201c{q['text']}\u201d", 24)),
                     font=big, fill="white", spacing=14)
    d.text((96, h - 300), f"\u2014 {q['by']}", font=small, fill="#eee")
    d.text((96, h - 160), "@madrespeaks", font=small, fill="white")
    buf = io.BytesIO()
    im.save(buf, "PNG", compress_level=level)
    times.append((time.perf_counter() - t0) * 1000)
times.sort()
print(json.dumps({"peer": f"pillow-floor-png{level}", "n": n, "w": w, "h": h,
                  "median_ms": statistics.median(times), "min_ms": times[0],
                  "max_ms": times[-1], "bytes": buf.tell()}))
