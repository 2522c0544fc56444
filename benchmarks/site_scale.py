"""The download pages at 2,000 designs: weight, element count and Lighthouse.

    python benchmarks/site_scale.py [--designs 2000] [--out DIR] [--lighthouse]

Rendering 2,000 designs for twelve platforms takes the better part of an hour on two cores,
and the pages only read the manifest, so this writes a synthetic *published* manifest of the
same shape a real build and publish give (every platform, carousels with slides and a PDF,
translations, thumbnails at the page's 1x/2x/3x widths, inline views, object keys) and
renders the real pages from it. For Lighthouse it also writes real JPEG thumbnails for the
first page of the largest campaign (what that page loads) and serves the directory on
127.0.0.1, then runs the npm `lighthouse` CLI (mobile preset) with Debian's Chromium.

tests/site/test_scale.py imports `synthetic_manifest` and asserts the bounds; the figures
from a run are in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import http.server
import io
import json
import random
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from shareables.platforms import PLATFORMS  # noqa: E402
from shareables.site.shapes import thumb_widths  # noqa: E402

CAMPAIGNS = ("palestine", "afghanistan", "climate", "health", "peace")
LANGS = ("en", "en", "es", "ar", "fa", "he")
ALL_PLATFORMS = tuple(PLATFORMS)
WORDS = ("women defenders rights justice peace solidarity community health water land "
         "freedom dignity families partners courage future voices change hope").split()


def _sha(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def synthetic_manifest(n: int = 2000, *, seed: int = 1) -> dict[str, Any]:
    """A published manifest of `n` designs in five campaigns, every platform."""
    rng = random.Random(seed)
    variants: list[dict[str, Any]] = []
    artefacts: list[dict[str, Any]] = []
    for i in range(n):
        campaign = CAMPAIGNS[i % len(CAMPAIGNS)]
        kind = ("quote", "quote", "statement", "statement", "tag", "carousel")[i % 6]
        design = f"design-{i:04d}"
        langs = [LANGS[rng.randrange(len(LANGS))]]
        if rng.random() < 0.2:
            langs.append("ar" if langs[0] != "ar" else "en")
        for li, lang in enumerate(langs):
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 24))).capitalize()
            caption = f"{text}. #{campaign.title()} @madrespeaks"
            base = f"{campaign}/{design}/{lang}"
            slides = 6 if kind == "carousel" else 0
            v = {"design": design, "campaign": campaign, "kind": kind, "lang": lang,
                 "dir": "rtl" if lang in ("ar", "fa", "he") else "ltr", "original": li == 0,
                 "title": f"Statement {i}" if kind in ("statement", "carousel") else None,
                 "date": None, "text": text, "slides": None,
                 "attribution": {"name": f"Speaker {i}", "role": "Human rights defender"}
                 if kind == "quote" else None,
                 "alt": f"{kind.title()} on a purple background: {text}.",
                 "caption": caption, "credit": None, "source": f"designs/{base}.yaml",
                 "source_hash": _sha(i, lang), "platforms": list(ALL_PLATFORMS),
                 "bundle": f"{base}/{design}-{lang}.zip", "errors": []}
            variants.append(v)

            def add(role: str, pid: str | None, path: str, w: int | None, h: int | None,
                    size: int, ctype: str, slide: int | None = None, of: str | None = None,
                    v: dict[str, Any] = v) -> dict[str, Any]:
                sha = _sha(path)
                name = path.rsplit("/", 1)[-1]
                a = {"design": v["design"], "campaign": v["campaign"], "kind": v["kind"],
                     "lang": v["lang"], "platform": pid, "slide": slide, "role": role,
                     "of": of, "path": path, "width": w, "height": h, "bytes": size,
                     "sha256": sha, "content_type": ctype, "alt": v["alt"],
                     "caption": v["caption"], "source_hash": v["source_hash"],
                     "cache_key": sha,
                     "key": f"files/{sha}/madre-{v['design']}-{v['lang']}-{name}"}
                artefacts.append(a)
                if role in ("image", "slide"):
                    artefacts.append({**a, "role": "view", "of": path,
                                      "key": f"files/{sha}/view/madre-{v['design']}-{name}"})
                return a

            for pid in ALL_PLATFORMS:
                p = PLATFORMS[pid]
                if p.document:
                    if slides:
                        add("pdf", pid, f"{base}/{pid}.pdf", p.width, p.height, 900_000,
                            "application/pdf")
                    continue
                ext, ctype = ("png", "image/png") if p.formats[0] == "png" else (
                    "jpg", "image/jpeg")
                for s in range(1, slides + 1) if slides and p.carousel_limit else [None]:
                    name = pid if s is None else f"{pid}-{s:02d}"
                    img = add("slide" if s else "image", pid, f"{base}/{name}.{ext}",
                              p.width, p.height, rng.randint(150_000, 900_000), ctype, s)
                    for w in thumb_widths(p):
                        add("thumbnail", pid, f"{base}/thumbs/{name}.{w}w.jpg", w,
                            round(p.height * w / p.width), 20_000 * w // 352, "image/jpeg",
                            s, of=img["path"])
            add("bundle", None, v["bundle"], None, None, 5_000_000, "application/zip")
    return {"format": 1, "build_id": "synthetic", "renderer": "synthetic",
            "brand": {"name": "MADRE", "handle": "@madrespeaks",
                      "colors": {"background": "#5b1f6b", "accent": "#f2b134"}},
            "site": {"title": "MADRE shareables", "og_image": None, "og_alt": None},
            "variants": variants, "artefacts": artefacts}


class _Count(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.elements += 1


def measure(html: str) -> dict[str, int]:
    """Bytes, gzipped bytes and element count of one page."""
    c = _Count()
    c.feed(html)
    data = html.encode("utf-8")
    return {"bytes": len(data), "gzip": len(gzip.compress(data, 9)), "elements": c.elements}


def _thumbs_for(manifest: dict[str, Any], page_html: str, out: Path) -> int:
    """Real JPEG files for every thumbnail `page_html` references (keys as written)."""
    from PIL import Image, ImageDraw

    keys = {a["key"]: a for a in manifest["artefacts"] if a["role"] == "thumbnail"}
    made = 0
    for key, a in keys.items():
        if key not in page_html:
            continue
        img = Image.new("RGB", (a["width"], a["height"]), (91, 31, 107))
        d = ImageDraw.Draw(img)
        m = a["width"] // 12
        d.rectangle([m, m, a["width"] - m, m + max(4, a["width"] // 90)], fill=(242, 177, 52))
        for y in range(a["height"] // 3, a["height"] * 2 // 3, max(8, a["width"] // 14)):
            d.rectangle([m, y, a["width"] - 2 * m, y + a["width"] // 28], fill=(255, 255, 255))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=75, optimize=True, progressive=True)
        path = out / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(buf.getvalue())
        made += 1
    return made


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--designs", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "site-out")
    ap.add_argument("--lighthouse", action="store_true", help="also run Lighthouse (npx)")
    args = ap.parse_args()

    from shareables.site.page import render_pages

    manifest = synthetic_manifest(args.designs)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_GzipHandler, directory=str(out))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_address[1]}/"
    t0 = time.perf_counter()
    # base_url as publish passes it: absolute hreflang/og links, as crawlers want them.
    pages = render_pages(manifest, lambda a: a["key"], base_url=base)
    seconds = time.perf_counter() - t0
    html_pages = {k: v for k, v in pages.items() if k.endswith(".html")}
    figures = {k: measure(v) for k, v in html_pages.items()}
    worst = max(figures.items(), key=lambda kv: kv[1]["gzip"])
    print(f"{args.designs} designs, {len(manifest['artefacts'])} artefacts: "
          f"{len(html_pages)} pages rendered in {seconds:.1f} s")
    for name in ("index.html", "palestine.html", "palestine.ar.html", "palestine.embed.html"):
        f = figures[name]
        print(f"  {name}: {f['bytes'] / 1000:.0f} KB, {f['gzip'] / 1000:.1f} KB gzipped, "
              f"{f['elements']} elements")
    print(f"  heaviest page: {worst[0]} {worst[1]['gzip'] / 1000:.1f} KB gzipped, "
          f"{worst[1]['elements']} elements")
    search = pages["search.json"].encode()
    print(f"  search.json: {len(search) / 1000:.0f} KB, "
          f"{len(gzip.compress(search, 9)) / 1000:.0f} KB gzipped")
    if not args.lighthouse:
        srv.shutdown()
        return
    for name, text in pages.items():
        (out / name).write_text(text, encoding="utf-8")
    print(f"  thumbnails written for palestine.html: "
          f"{_thumbs_for(manifest, pages['palestine.html'], out)}")
    url = base + "palestine.html"
    report = out / "lighthouse.json"
    subprocess.run(["npx", "--yes", "lighthouse", url, "--quiet", "--output=json",
                    f"--output-path={report}", "--chrome-path=/usr/bin/chromium",
                    "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                    "--only-categories=performance,accessibility,best-practices,seo"],
                   check=True)
    srv.shutdown()
    data = json.loads(report.read_text())
    scores = {k: round(v["score"] * 100) for k, v in data["categories"].items()}
    audits = data["audits"]
    print(f"  Lighthouse (mobile) {url.rsplit('/', 1)[1]}: {scores}")
    for key in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                "cumulative-layout-shift", "speed-index", "interactive"):
        print(f"    {key}: {audits[key]['displayValue']}")


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves .html/.json gzipped with Content-Encoding, as the bucket does after publish."""

    def send_head(self):  # type: ignore[no-untyped-def]
        path = self.translate_path(self.path.split("?")[0])
        if path.endswith((".html", ".json")) and Path(path).is_file():
            body = gzip.compress(Path(path).read_bytes(), 9)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8" if path.endswith(
                ".html") else "application/json")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # Lighthouse closes connections it no longer needs


if __name__ == "__main__":
    main()
