"""Fixtures: Debian Chromium through Playwright, a loopback HTTP server, a sample output/.

Playwright's own browser download does not work offline, so the session launches the
distribution's /usr/bin/chromium (installed by scripts/install-system.sh). Tests that need it
are marked ``browser`` and skip with the reason when it is missing.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import shutil
import threading
import zipfile
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


# --- browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Debian Chromium for the whole session (a launch costs about a second)."""
    if not CHROMIUM.exists():
        pytest.skip("needs /usr/bin/chromium: run `bash scripts/install-system.sh`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium: Any) -> Iterator[Callable[..., Any]]:
    """Factory for pages in fresh contexts: ``new_page(viewport=..., java_script_enabled=...)``.

    Every request the page makes is recorded on ``page.requests`` (URLs), so tests can prove
    the page never leaves the local server.
    """
    contexts: list[Any] = []

    def make(**kwargs: Any) -> Any:
        kwargs.setdefault("viewport", {"width": 1280, "height": 900})
        ctx = chromium.new_context(**kwargs)
        contexts.append(ctx)
        page = ctx.new_page()
        page.requests = []  # type: ignore[attr-defined]
        page.console_errors = []  # type: ignore[attr-defined]
        page.on("request", lambda r: page.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        return page

    yield make
    for ctx in contexts:
        ctx.close()


# --- HTTP server ----------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".zip": "application/zip", ".webp": "image/webp", ".pdf": "application/pdf",
        ".html": "text/html; charset=utf-8", ".json": "application/json",
    }

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture
def serve_dir() -> Iterator[Callable[[Path], str]]:
    """Serve a directory over HTTP on a free loopback port; returns its base URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(directory: Path) -> str:
        handler = partial(_QuietHandler, directory=str(directory))
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        servers.append(srv)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{srv.server_address[1]}/"

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """test-artifacts/: screenshots kept after the run for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# --- a sample output/ in the documented manifest format ----------------------------------------

SAMPLE_VARIANTS: list[dict[str, Any]] = [
    {"design": "darwish-palestine", "campaign": "palestine", "kind": "quote", "lang": "ar",
     "dir": "rtl", "original": True,
     "text": "على هذه الأرض ما يستحق الحياة",
     "attribution": {"name": "محمود درويش", "role": "شاعر فلسطيني"},
     "alt": "اقتباس لمحمود درويش على خلفية خضراء: على هذه الأرض ما يستحق الحياة.",
     "caption": "على هذه الأرض ما يستحق الحياة. — محمود درويش @madrespeaks",
     "platforms": ["instagram-square", "instagram-story", "x"]},
    {"design": "darwish-palestine", "campaign": "palestine", "kind": "quote", "lang": "en",
     "dir": "ltr", "original": False,
     "text": "We have on this earth what makes life worth living.",
     "attribution": {"name": "Mahmoud Darwish", "role": "Palestinian poet"},
     "alt": "Quote by Mahmoud Darwish on a dark green background: “We have on this earth "
            "what makes life worth living.”",
     "caption": "“We have on this earth what makes life worth living.” — Mahmoud Darwish "
                "#Palestine @madrespeaks",
     "platforms": ["instagram-square", "instagram-story", "x"]},
    {"design": "gaza-ceasefire", "campaign": "palestine", "kind": "carousel", "lang": "en",
     "dir": "ltr", "original": True, "title": "Five facts about Gaza's women",
     "text": "Most families have been displaced.\n\nMothers give birth without care.\n\n"
             "Aid is blocked at the border.",
     "slides": None, "attribution": None,
     "alt": "A carousel of three slides about women in Gaza.",
     "caption": "Five facts about Gaza's women. Share the carousel. @madrespeaks",
     "credit": None, "platforms": ["instagram-portrait", "linkedin-document"]},
    {"design": "jamila-afghani-solidarity", "campaign": "afghanistan", "kind": "quote",
     "lang": "en", "dir": "ltr", "original": True,
     "text": "MADRE and its supporters saved my life and the lives of my children.",
     "attribution": {"name": "Jamila Afghani", "role": "Afghan Human Rights Defender"},
     "alt": "Photo of a rally with a quote by Jamila Afghani: “MADRE and its supporters saved "
            "my life and the lives of my children.”",
     "caption": "“MADRE and its supporters saved my life.” — Jamila Afghani\n\n"
                "#Afghanistan @madrespeaks",
     "credit": "Photo: Alexandros Michailidis",
     "platforms": ["instagram-portrait", "instagram-square", "instagram-story", "x",
                   "facebook", "linkedin"]},
    {"design": "escape-test", "campaign": "afghanistan", "kind": "statement", "lang": "en",
     "dir": "ltr", "original": True, "title": 'Say "no" to <script>alert(1)</script>',
     "text": '<script>alert("x")</script> & "quotes" stay text',
     "attribution": None, "alt": 'Alt with <img src=x onerror=alert(1)> and "quotes"',
     "caption": '<b>not bold</b> "caption"', "credit": None, "platforms": ["x"]},
]

_COLOURS = {"palestine": (15, 61, 46), "afghanistan": (91, 31, 107)}


def _image(w: int, h: int, colour: tuple[int, int, int], label: str, fmt: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (w, h), colour)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=max(12, w // 14))
    m = w // 12
    draw.rectangle([m, m, w - m, m + max(4, w // 90)], fill=(242, 177, 52))
    draw.multiline_text((m, h // 3), label, fill=(255, 255, 255), font=font, spacing=w // 40)
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.save(buf, "JPEG", quality=90, subsampling=0)
    else:
        img.save(buf, fmt)
    return buf.getvalue()


def make_sample_output(out: Path, *, variants: list[dict[str, Any]] | None = None) -> dict:
    """Write a small, real output/ (images, thumbnails, PDF, zips, manifest, index.html).

    A stand-in for ``shareables build`` in the page tests: same layout and manifest format as
    docs/architecture.md, far fewer pixels.
    """
    from PIL import Image

    from shareables.platforms import PLATFORMS
    from shareables.site import page as site

    out.mkdir(parents=True, exist_ok=True)
    artefacts: list[dict[str, Any]] = []
    variants = [dict(v) for v in (variants or SAMPLE_VARIANTS)]

    def add(v: dict[str, Any], rel: str, data: bytes, role: str, platform: str | None,
            slide: int | None, ct: str, size: tuple[int, int] | None, of: str | None = None
            ) -> dict[str, Any]:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        a = {"design": v["design"], "campaign": v["campaign"], "kind": v["kind"],
             "lang": v["lang"], "platform": platform, "slide": slide, "role": role, "of": of,
             "path": rel, "width": size[0] if size else None,
             "height": size[1] if size else None, "bytes": len(data),
             "sha256": hashlib.sha256(data).hexdigest(), "content_type": ct,
             "alt": v["alt"], "caption": v["caption"], "source_hash": "0" * 64,
             "cache_key": "0" * 64}
        artefacts.append(a)
        return a

    def thumb(v: dict[str, Any], image_rel: str, data: bytes, pid: str, slide: int | None) -> None:
        img = Image.open(io.BytesIO(data)).convert("RGB")
        img.thumbnail((400, 400 * img.height // img.width))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=82)
        name = f"{pid}-{slide:02d}" if slide else pid
        base = image_rel.rsplit("/", 1)[0]
        add(v, f"{base}/thumbs/{name}.jpg", buf.getvalue(), "thumbnail", pid, slide,
            "image/jpeg", img.size, of=image_rel)

    # Sizes are a tenth of the real canvases: the page only cares about the manifest.
    for v in variants:
        v.setdefault("title", None)
        v.setdefault("date", None)
        v.setdefault("slides", None)
        v.setdefault("credit", None)
        v.setdefault("errors", [])
        v["source"] = f"designs/{v['campaign']}/{v['design']}.yaml"
        v["source_hash"] = "0" * 64
        base = f"{v['campaign']}/{v['design']}/{v['lang']}"
        colour = _COLOURS.get(v["campaign"], (40, 40, 40))
        bundle = io.BytesIO()
        with zipfile.ZipFile(bundle, "w") as zf:
            for pid in v["platforms"]:
                p = PLATFORMS[pid]
                w, h = p.width // 4, p.height // 4
                if p.document:
                    pages = [Image.new("RGB", (w, h), colour) for _ in range(3)]
                    buf = io.BytesIO()
                    pages[0].save(buf, "PDF", save_all=True, append_images=pages[1:])
                    rel = f"{base}/{pid}.pdf"
                    add(v, rel, buf.getvalue(), "pdf", pid, None, "application/pdf", (w, h))
                    zf.writestr(rel.rsplit("/", 1)[1], buf.getvalue())
                    continue
                fmt, ct, ext = (("PNG", "image/png", "png") if p.formats[0] == "png"
                                else ("JPEG", "image/jpeg", "jpg"))
                if v["kind"] == "carousel":
                    for n in range(1, 4):
                        data = _image(w, h, colour, f"{n}/3\n{p.label}", fmt)
                        rel = f"{base}/{pid}-{n:02d}.{ext}"
                        add(v, rel, data, "slide", pid, n, ct, (w, h))
                        thumb(v, rel, data, pid, n)
                        zf.writestr(rel.rsplit("/", 1)[1], data)
                else:
                    data = _image(w, h, colour, f"{p.label}\n{v['lang']}", fmt)
                    rel = f"{base}/{pid}.{ext}"
                    add(v, rel, data, "image", pid, None, ct, (w, h))
                    thumb(v, rel, data, pid, None)
                    zf.writestr(rel.rsplit("/", 1)[1], data)
        v["bundle"] = f"{base}/{v['design']}-{v['lang']}.zip"
        add(v, v["bundle"], bundle.getvalue(), "bundle", None, None, "application/zip", None)

    og = _image(1200, 630, (91, 31, 107), "MADRE shareables", "PNG")
    og_v = {"design": None, "campaign": None, "kind": None, "lang": None, "alt": "MADRE",
            "caption": None}
    add(og_v, "site/og.png", og, "site-og", "og", None, "image/png", (1200, 630))
    manifest = {
        "format": 1, "build_id": "sample", "renderer": "fixture",
        "brand": {"name": "MADRE", "handle": "@madrespeaks",
                  "colors": {"background": "#5b1f6b", "text": "#ffffff", "accent": "#f2b134"}},
        "site": {"title": "MADRE shareables", "og_image": "site/og.png",
                 "og_alt": "MADRE shareables: quotes and statements to download and share"},
        "variants": variants, "artefacts": artefacts,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    html = site.render_index(manifest, lambda a: a["path"])
    (out / "index.html").write_text(html, encoding="utf-8")
    return manifest


@pytest.fixture(scope="session")
def sample_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sample output/ directory shared by the page tests (built once per session)."""
    out = tmp_path_factory.mktemp("site") / "output"
    make_sample_output(out)
    return out


@pytest.fixture
def fresh_output(tmp_path: Path, sample_output: Path) -> Path:
    """A private copy of the sample output/ that a test may change."""
    dst = tmp_path / "output"
    shutil.copytree(sample_output, dst)
    return dst


# --- a real build of a small project ----------------------------------------------------------

SITE_PLATFORMS = ("instagram-portrait", "instagram-story", "linkedin", "linkedin-document")
"""Carousel-friendly (x takes at most 4 slides) and quick: about 5 s on two cores."""

ESCAPE_DESIGN = """\
kind: statement
title: 'Say "no" to <script>alert(1)</script>'
text: '<script>alert("x")</script> & "quotes" stay text'
caption: '<b>not bold</b> "caption" @madrespeaks'
alt: 'Alt with <img src=x onerror=alert(1)> and "quotes"'
"""


def make_built_project(root: Path) -> Path:
    """The fixtures_project project plus a design full of markup, built with `build_project`."""
    from fixtures_project import make_project

    from shareables.build.pipeline import build_project

    make_project(root, platforms=SITE_PLATFORMS)
    (root / "designs" / "afghanistan" / "escape-test.yaml").write_text(ESCAPE_DESIGN)
    result = build_project(root, jobs=2)
    assert not result.errors, [str(e) for e in result.errors]
    return root


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """output/ of a real `shareables build` (images, thumbnails, PDF, zips, og image, page)."""
    return make_built_project(tmp_path_factory.mktemp("built") / "project") / "output"
