"""The download pages without a browser: helpers, the view model, the rendered HTML.

The pages in Chromium are in test_browser.py; the 2,000-design weight in test_scale.py.
"""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from shareables.platforms import PLATFORMS
from shareables.site import page as site
from shareables.site.i18n import catalogue
from shareables.site.model import PageModel, plain
from shareables.site.shapes import shape_of, sizes_attr, thumb_widths

ROOT = Path(__file__).resolve().parents[2]
VNU = ROOT / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"


def manifest_of(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text())


def by_path(a: dict[str, Any]) -> str:
    return str(a["path"])


class _Tags(HTMLParser):
    """Collects (tag, attrs) pairs; enough to check the markup without a browser."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in self.raw else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.raw[self._in].append(data)
        else:
            self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags
                if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def parse(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    return p


# --- pure helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "palestine/darwish/ar/x.png", "files/abc/madre.jpg", "./a.jpg", "/abs/path.jpg",
    "https://cdn.example.org/a.jpg", "HTTP://example.org/a.jpg", "a.jpg?v=1#frag",
])
def test_safe_url_accepts_relative_and_http(url: str) -> None:
    assert site.safe_url(url) == url


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "\x01javascript:alert(1)", "data:text/html,<script>", "vbscript:x", "file:///etc/passwd",
    "//evil.example/a.jpg", "\\\\evil.example/a.jpg", "/\\evil.example", "https:///nohost", "",
])
def test_safe_url_refuses_other_schemes_and_hosts(url: str) -> None:
    with pytest.raises(site.UnsafeURLError):
        site.safe_url(url)


def test_safe_url_percent_encodes_spaces_and_non_ascii() -> None:
    assert site.safe_url("files/a b/دي.jpg") == "files/a%20b/%D8%AF%D9%8A.jpg"
    assert site.safe_url("files/a%20b.jpg") == "files/a%20b.jpg"


def test_human_size_uses_decimal_units_like_phones() -> None:
    assert [site.human_size(n) for n in (999, 412_345, 999_499, 999_500, 2_150_000)] == [
        "999 B", "412 KB", "999 KB", "1.0 MB", "2.1 MB"]


def test_download_names_are_friendly_and_unique_per_file() -> None:
    base = {"design": "darwish-palestine", "lang": "ar"}
    assert site.download_name({**base, "platform": "instagram-story", "role": "image",
                               "path": "p/darwish-palestine/ar/instagram-story.png"}
                              ) == "madre-darwish-palestine-ar-instagram-story.png"
    assert site.download_name({**base, "platform": "instagram-portrait", "slide": 3,
                               "role": "slide", "path": "x/instagram-portrait-03.jpg"}
                              ) == "madre-darwish-palestine-ar-instagram-portrait-03.jpg"
    assert site.download_name({**base, "platform": None, "role": "bundle",
                               "path": "x/darwish-palestine-ar.zip"}, "MADRE"
                              ) == "madre-darwish-palestine-ar.zip"


def test_brand_colours_are_used_only_when_readable() -> None:
    assert site.page_colors({}) == {"background": "#5b1f6b", "accent": "#f2b134"}
    green = site.page_colors({"colors": {"background": "#0f3d2e", "accent": "#e4312b"}})
    assert green["background"] == "#0f3d2e"
    # Pale yellow cannot carry white text; an injection attempt is not a colour at all.
    assert site.page_colors({"colors": {"background": "#ffee88"}})["background"] == "#5b1f6b"
    assert site.page_colors({"colors": {"background": "red;}</style><script>"}}
                            )["background"] == "#5b1f6b"
    assert site.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)



def test_handles_in_rtl_text_are_isolated() -> None:
    assert site.isolate_tags("درويش @madrespeaks <b>") == (
        "درويش <bdi>@madrespeaks</bdi> &lt;b&gt;")


def test_inline_markup_becomes_strong_and_never_shows_its_asterisks() -> None:
    assert site.rich("endorse the call for a **ceasefire**.") == (
        "endorse the call for a <strong>ceasefire</strong>.")
    assert site.rich("**<b>x</b>** @madrespeaks") == (
        "<strong>&lt;b&gt;x&lt;/b&gt;</strong> <bdi>@madrespeaks</bdi>")
    assert plain("a **b** c") == "a b c"


def test_untitled_designs_are_headed_by_their_opening_words() -> None:
    assert site.excerpt("Women human rights defenders keep their communities alive.") == (
        "Women human rights defenders keep their communities alive.")
    assert site.excerpt("Taliban members have committed torture, murder, sexual violence, "
                        "and other acts") == (
        "Taliban members have committed torture, murder, sexual…")
    assert site.list_separator("ar") == "، " and site.list_separator("en") == ", "


# --- shapes and the view model ----------------------------------------------------------------


def test_platforms_are_grouped_by_canvas_shape_and_og_is_not_offered() -> None:
    shape = {pid: shape_of(p) for pid, p in PLATFORMS.items()}
    assert shape == {
        "instagram-square": "square", "instagram-portrait": "portrait", "facebook": "portrait",
        "threads": "portrait", "instagram-story": "story", "whatsapp-status": "story",
        "x": "wide", "bluesky": "wide", "linkedin": "wide", "linkedin-document": "wide",
        "pinterest": "pin", "og": None}


def test_thumbnails_are_the_widths_the_page_shows_at_1x_2x_3x() -> None:
    assert thumb_widths(PLATFORMS["instagram-square"]) == (352, 704, 1080)  # 3x: the canvas
    assert thumb_widths(PLATFORMS["instagram-portrait"]) == (320, 640, 1080)
    assert thumb_widths(PLATFORMS["instagram-story"]) == (240, 480, 720)
    assert thumb_widths(PLATFORMS["x"]) == (384, 768, 1152)
    assert thumb_widths(PLATFORMS["og"]) == () == thumb_widths(PLATFORMS["linkedin-document"])
    assert sizes_attr("story") == "(min-width: 272px) 240px, calc(100vw - 32px)"


def _art(pid: str, sha: str, role: str = "image", **kw: Any) -> dict[str, Any]:
    p = PLATFORMS[pid]
    ext = "pdf" if p.document else "jpg"
    return {"design": "d", "campaign": "c", "kind": "quote", "lang": "en", "platform": pid,
            "slide": None, "role": role, "of": None, "path": f"c/d/en/{pid}.{ext}",
            "width": p.width, "height": p.height, "bytes": 1000, "sha256": sha,
            "content_type": "application/pdf" if p.document else "image/jpeg", **kw}


def _manifest(artefacts: list[dict[str, Any]], **variant: Any) -> dict[str, Any]:
    v = {"design": "d", "campaign": "c", "kind": "quote", "lang": "en", "dir": "ltr",
         "original": True, "text": "Words", "attribution": {"name": "A. Person"},
         "alt": "Alt", "caption": "Caption", "platforms": [], **variant}
    return {"brand": {"name": "MADRE"}, "variants": [v], "artefacts": artefacts}


def test_identical_files_are_offered_once_and_shapes_come_in_a_fixed_order() -> None:
    arts = [_art("x", "1"), _art("instagram-portrait", "2"), _art("threads", "2"),
            _art("facebook", "3"), _art("og", "4"), _art("instagram-story", "5"),
            _art("whatsapp-status", "6"), _art("bluesky", "7")]
    arts += [_art(a["platform"], "t" + a["sha256"], "thumbnail", of=a["path"], width=320,
                  path=a["path"].replace("/en/", "/en/thumbs/")) for a in list(arts)]
    (design,) = PageModel(_manifest(arts), by_path).designs()
    groups = design["variants"]["en"]["groups"]
    assert [g["key"] for g in groups] == ["portrait", "story", "wide"]
    portrait = groups[0]
    assert portrait["apps"] == "Instagram, Facebook, Threads"
    assert [c["apps_label"] for c in portrait["choices"]] == ["Instagram, Threads", "Facebook"]
    assert portrait["main"]["platform"] == "instagram-portrait"
    assert [c["apps_label"] for c in groups[2]["choices"]] == ["X", "Bluesky"]
    everywhere = [c for g in groups for c in g["choices"]]
    assert not [c for c in everywhere if c["platform"] == "og"]  # the page's own link preview


def test_previews_use_every_thumbnail_width_and_the_inline_view_when_published() -> None:
    img = _art("instagram-square", "1")
    thumbs = [_art("instagram-square", f"t{w}", "thumbnail", of=img["path"], width=w,
                   height=w, path=f"c/d/en/thumbs/instagram-square.{w}w.jpg")
              for w in (704, 352, 1056)]
    view = {**img, "role": "view", "of": img["path"], "path": img["path"]}
    model = PageModel(_manifest([img, *thumbs, view]),
                      lambda a: ("view/" if a["role"] == "view" else "") + a["path"])
    (group,) = model.designs()[0]["variants"]["en"]["groups"]
    pic = group["main"]["previews"][0]
    assert pic["src"] == "c/d/en/thumbs/instagram-square.352w.jpg"
    assert pic["width"] == 352 and pic["sizes"] == sizes_attr("square")
    assert pic["srcset"] == ", ".join(f"c/d/en/thumbs/instagram-square.{w}w.jpg {w}w"
                                      for w in (352, 704, 1056))
    assert group["main"]["view"] == "view/c/d/en/instagram-square.jpg"
    assert group["main"]["file"]["href"] == "c/d/en/instagram-square.jpg"


def test_carousels_over_the_share_limit_are_not_offered_for_sharing() -> None:
    slides = [_art("instagram-portrait", f"s{i}", "slide", slide=i,
                   path=f"c/d/en/instagram-portrait-{i:02d}.jpg") for i in range(1, 12)]
    (design,) = PageModel(_manifest(slides, kind="carousel"), by_path).designs()
    (choice,) = design["variants"]["en"]["groups"][0]["choices"]
    assert len(choice["slides"]) == 11 and not choice["shareable"]  # Chromium shares <= 10


# --- the rendered pages (no browser) ----------------------------------------------------------


@pytest.fixture(scope="module")
def pages(sample_output: Path) -> dict[str, str]:
    return site.render_pages(manifest_of(sample_output), by_path)


def test_one_page_per_campaign_and_language_plus_index_embeds_and_search(
        pages: dict[str, str]) -> None:
    assert set(pages) == {f"{base}{suffix}.html" for base in (
        "index", "palestine", "afghanistan", "palestine.embed", "afghanistan.embed")
        for suffix in ("", ".ar")} | {"search.json"}
    assert not site.page_assets()


def test_pages_link_to_each_other_with_hreflang_and_rtl_pages_are_rtl(
        pages: dict[str, str]) -> None:
    en, ar = parse(pages["palestine.html"]), parse(pages["palestine.ar.html"])
    assert en.find("html", lang="en", dir="ltr") and ar.find("html", lang="ar", dir="rtl")
    for doc in (en, ar):
        alts = {a["hreflang"]: a["href"] for a in doc.find("link", rel="alternate")}
        assert alts == {"en": "palestine.html", "ar": "palestine.ar.html",
                        "x-default": "palestine.html"}
    # The Arabic page shows the Arabic variant, its words marked as Arabic, right to left.
    assert ar.find("blockquote", lang="ar", dir="rtl")
    assert "على هذه الأرض" in pages["palestine.ar.html"]
    assert "Skip to the images" not in pages["palestine.ar.html"]
    # The English page offers the other language of a design as a link (works without JS).
    assert en.find("a", href="palestine.ar.html#d-darwish-palestine", hreflang="ar")


def test_csp_hashes_match_the_inline_style_and_scripts(pages: dict[str, str]) -> None:
    for name, html in pages.items():
        if not name.endswith(".html"):
            continue
        doc = parse(html)
        (meta,) = doc.find("meta", **{"http-equiv": "Content-Security-Policy"})
        csp = dict(d.strip().split(" ", 1) for d in str(meta["content"]).split(";"))
        assert csp["default-src"] == "'none'"
        assert csp["img-src"] == "'self' data:"
        assert csp["connect-src"] == "'self'"  # search.json, and the files Share sends
        assert csp["style-src"] == site.csp_hash("".join(doc.raw["style"]))
        scripts = [s for s in doc.raw["script"] if not s.startswith("{")]  # JSON data block
        assert sorted(csp["script-src"].split()) == sorted(site.csp_hash(s) for s in scripts)
        assert "unsafe" not in str(meta["content"])
        assert not [a for _, a in doc.tags if "style" in a or any(k.startswith("on") for k in a)]


def test_every_link_on_every_page_is_relative_and_exists(pages: dict[str, str],
                                                         sample_output: Path) -> None:
    for name, html in pages.items():
        if not name.endswith(".html"):
            continue
        doc = parse(html)
        urls = [str(a["href"]).split("#")[0] for a in doc.find("a")
                if not str(a["href"]).startswith("#")]
        urls += [str(a["src"]) for a in doc.find("img")]
        urls += [u.split()[0] for a in doc.find("img") if a.get("srcset")
                 for u in str(a["srcset"]).split(", ")]
        for url in urls:
            assert not re.match(r"^[a-z]+:|^//", url), url
            assert url in pages or (sample_output / url).is_file(), (name, url)


def test_every_file_is_linked_from_a_campaign_page_with_a_friendly_name(
        pages: dict[str, str], sample_output: Path) -> None:
    manifest = manifest_of(sample_output)
    hrefs: dict[str, str] = {}
    for lang in ("", ".ar"):
        for c in ("palestine", "afghanistan"):
            for a in parse(pages[f"{c}{lang}.html"]).find("a"):
                if a.get("download"):
                    hrefs[str(a["href"])] = str(a["download"])
    assert set(hrefs) == {a["path"] for a in manifest["artefacts"]
                          if a["role"] in ("image", "slide", "pdf", "bundle")}
    assert hrefs["palestine/darwish-palestine/ar/instagram-story.png"] == (
        "madre-darwish-palestine-ar-instagram-story.png")
    text = " ".join(" ".join(parse(pages["palestine.html"]).text).split())
    assert re.search(r"Instagram 270×480 · PNG · \d+ KB", text)
    assert re.search(r"LinkedIn document \(PDF\) PDF · \d+ KB", text)


def test_the_statement_is_read_once_not_three_times(pages: dict[str, str]) -> None:
    """The preview image is a link named "Open the full image: …" with an empty alt: the
    words are on the page once; the description waits in the details to be copied."""
    doc = parse(pages["palestine.html"])
    assert all(img["alt"] == "" for img in doc.find("img"))
    html = pages["palestine.html"]
    card = html[html.index('id="d-darwish-palestine"'):html.index('id="d-gaza-ceasefire"')]
    assert card.count("We have on this earth what makes life worth living.") == 3
    # once in the quote, once in the caption, once in the alt text: the last two inside
    # the closed <details>, so a screen reader walking the card hears the quote once
    shown = card[:card.index('<details class="more">')]
    assert shown.count("We have on this earth what makes life worth living.") == 1


def test_text_with_markup_is_escaped(pages: dict[str, str]) -> None:
    html = pages["afghanistan.html"]
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "<b>not bold" not in html
    assert html.count("<script>") == 2  # the head and page scripts, nothing from a design


def test_search_index_is_small_and_finds_designs_by_any_language(pages: dict[str, str]) -> None:
    index = json.loads(pages["search.json"])
    darwish = next(d for d in index["designs"] if d["a"] == "d-darwish-palestine")
    assert darwish["p"] == "palestine" and darwish["c"] == "Palestine"
    assert darwish["h"] == {"ar": "محمود درويش", "en": "Mahmoud Darwish"}
    assert "درويش" in darwish["q"] and "mahmoud darwish" in darwish["q"]
    assert "#palestine" in darwish["q"]
    assert len(pages["search.json"].encode()) < 400 * len(index["designs"])


def test_campaigns_are_paged_and_every_page_is_linked(sample_output: Path) -> None:
    manifest = manifest_of(sample_output)
    v0 = next(v for v in manifest["variants"] if v["design"] == "escape-test")
    arts = [a for a in manifest["artefacts"] if a["design"] == "escape-test"]
    for i in range(30):
        manifest["variants"].append({**v0, "design": f"more-{i}"})
        manifest["artefacts"] += [{**a, "design": f"more-{i}"} for a in arts]
    pages = site.render_pages(manifest, by_path)
    assert {"afghanistan.html", "afghanistan.2.html", "afghanistan.3.html"} <= set(pages)
    first = parse(pages["afghanistan.html"])
    assert first.find("a", href="afghanistan.2.html")
    assert len(first.find("article")) == 12
    assert first.find("a", href="afghanistan.html", **{"aria-current": "page"})
    index = json.loads(pages["search.json"])
    assert {d["p"] for d in index["designs"] if d["a"].startswith("d-more-")} == {
        "afghanistan", "afghanistan.2", "afghanistan.3"}  # 34 designs, 12 a page
    # A campaign called "index" cannot replace the site's index page.
    for v in manifest["variants"]:
        v["campaign"] = "index"
    named = site.render_pages(manifest, by_path)
    assert "campaign-index.html" in named and "Campaigns" in named["index.html"]


def test_embed_pages_have_no_header_and_a_snippet_to_paste(sample_output: Path) -> None:
    manifest = manifest_of(sample_output)
    pages = site.render_pages(manifest, by_path, base_url="https://shareables.example.org/s/")
    embed = parse(pages["palestine.embed.html"])
    assert embed.find("html", **{"class": "embed"}) and not embed.find("header")
    assert embed.find("a", href="https://shareables.example.org/s/palestine.html",
                      target="_top")
    snippet = site.embed_snippet("https://shareables.example.org/s/palestine.embed.html",
                                 "Palestine — MADRE shareables")
    assert 'allow="web-share; clipboard-write"' in snippet
    assert "shareables:height" in snippet and "e.source===f[i].contentWindow" in snippet
    assert str(escape(snippet)) in pages["palestine.html"]  # shown to copy, as text


def test_open_graph_tags_use_an_absolute_image_with_base_url(sample_output: Path) -> None:
    manifest = manifest_of(sample_output)
    pages = site.render_pages(manifest, by_path, base_url="https://shareables.example.org/s/")
    doc = parse(pages["index.html"])
    og = {a["property"]: a["content"] for a in doc.find("meta") if a.get("property")}
    assert og["og:image"] == "https://shareables.example.org/s/site/og.png"
    assert og["og:image:alt"] == manifest["site"]["og_alt"]
    assert og["og:url"] == "https://shareables.example.org/s/index.html"
    alts = {a["hreflang"]: a["href"] for a in doc.find("link", rel="alternate")}
    assert alts["ar"] == "https://shareables.example.org/s/index.ar.html"
    with pytest.raises(site.UnsafeURLError):
        site.render_pages(manifest, by_path, base_url="javascript:alert(1)//")


def test_links_come_from_url_for_and_pass_the_allow_list(sample_output: Path) -> None:
    manifest = manifest_of(sample_output)
    pages = site.render_pages(
        manifest, lambda a: f"files/{a['sha256'][:8]}/{Path(a['path']).name}")
    assert 'href="files/' in pages["palestine.html"]
    assert 'href="palestine/' not in pages["palestine.html"]
    with pytest.raises(site.UnsafeURLError, match="javascript"):
        site.render_pages(manifest, lambda a: "javascript:alert(1)")
    cdn = site.render_pages(manifest, lambda a: "https://cdn.example.org/" + a["path"])
    (meta,) = parse(cdn["palestine.html"]).find("meta", **{"http-equiv": "Content-Security-Policy"})
    assert "img-src 'self' data: https://cdn.example.org;" in str(meta["content"])
    assert "connect-src 'self' https://cdn.example.org;" in str(meta["content"])


def test_failed_variants_are_not_linked(sample_output: Path) -> None:
    manifest = manifest_of(sample_output)
    manifest["variants"].append({**manifest["variants"][0], "lang": "fa", "original": False,
                                 "errors": ["designs/x.yaml:3:1: text: too long"]})
    pages = site.render_pages(manifest, by_path)
    assert "palestine.fa.html" not in pages and 'hreflang="fa"' not in pages["palestine.html"]


def test_an_empty_manifest_renders_a_helpful_page() -> None:
    pages = site.render_pages({"format": 1, "variants": [], "artefacts": []}, by_path)
    assert set(pages) == {"index.html", "search.json"}
    assert "Nothing to share yet" in pages["index.html"] and "<h1>" in pages["index.html"]


def test_every_language_the_project_ships_has_every_string() -> None:
    cat = catalogue()
    assert {"en", "ar", "fa", "ps", "he", "es", "fr"} <= set(cat)
    for lang, table in cat.items():
        assert set(table) == set(cat["en"]), lang
        for key, text in table.items():  # the same placeholders as the English
            assert set(re.findall(r"\{\w+\}", text)) == set(
                re.findall(r"\{\w+\}", cat["en"][key])), (lang, key)
    assert {lang for lang, t in cat.items() if t["dir"] == "rtl"} == {"ar", "fa", "ps", "he"}


@pytest.mark.skipif(not VNU.exists(), reason="needs vnu-jar: run `bash scripts/install-system.sh`")
def test_nu_html_checker_reports_no_errors_on_every_page_type(
        sample_output: Path, built_site: Path, tmp_path: Path) -> None:
    manifest = manifest_of(sample_output)
    files = [tmp_path / "serve.html", tmp_path / "empty.html"]
    files[0].write_text(site.render_index(manifest, by_path, live_reload="/__shareables/version",
                                          base_url="https://example.org/"))
    files[1].write_text(site.render_index({"variants": [], "artefacts": []}, by_path,
                                          problems=["designs/x.yaml:1:1: text: required"]))
    for name in ("index.html", "index.ar.html", "palestine.html", "palestine.ar.html",
                 "palestine.embed.html", "afghanistan.html"):
        files.append(built_site / name)
    r = subprocess.run(["java", "-jar", str(VNU), "--errors-only", *map(str, files)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr + r.stdout


def test_clips_get_their_own_block_not_a_place_among_the_images() -> None:
    img = _art("instagram-story", "1")
    clip = {**_art("instagram-story", "2"), "platform": "instagram-reel", "role": "clip",
            "path": "c/d/en/instagram-reel.mp4", "content_type": "video/mp4", "duration": 8.2}
    (design,) = PageModel(_manifest([img, clip]), by_path).designs()
    v = design["variants"]["en"]
    (story,) = v["groups"]
    assert [c["apps_label"] for c in story["choices"]] == ["Instagram"]
    (c,) = v["clips"]
    assert c["label"] == "Instagram Reels & Stories" and c["src"] == "c/d/en/instagram-reel.mp4"
    assert c["meta"] == "0:08 · 1080×1920 · MP4 · 1 KB"
