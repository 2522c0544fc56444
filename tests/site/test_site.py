"""The download page: site.render_index, and the page itself in Debian Chromium."""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from shareables.site import page as site

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


# --- the rendered page (no browser) ---------------------------------------------------------


@pytest.fixture(scope="module")
def page_html(sample_output: Path) -> str:
    return (sample_output / "index.html").read_text()


def test_page_is_small(page_html: str) -> None:
    """Page + CSS + JS (all inline) stay under 100 KB before images."""
    assert not site.page_assets()
    assert len(page_html.encode()) < 100_000


def test_the_page_for_a_dozen_real_designs_stays_under_100_kb(built_site: Path) -> None:
    """Twelve designs from a real build (the organisation has ten) still fit in 100 KB."""
    manifest = manifest_of(built_site)
    grown: dict[str, Any] = {**manifest, "variants": [], "artefacts": []}
    designs = sorted({v["design"] for v in manifest["variants"]})
    n = 0
    while len({v["design"] for v in grown["variants"]}) < 12:
        n += 1
        for key in ("variants", "artefacts"):
            for item in manifest[key]:
                copy = dict(item)
                if copy.get("design"):
                    copy["design"] = f"{copy['design']}-{n}"
                    copy["path"] = f"copy-{n}/{copy.get('path')}"
                grown[key].append(copy)
    html = site.render_index(grown, by_path)
    assert len({v["design"] for v in grown["variants"]}) >= 12 > len(designs)
    assert len(html.encode()) < 100_000, len(html.encode())


def test_csp_hashes_match_the_inline_style_and_script(page_html: str) -> None:
    doc = parse(page_html)
    (meta,) = doc.find("meta", **{"http-equiv": "Content-Security-Policy"})
    csp = dict(d.strip().split(" ", 1) for d in str(meta["content"]).split(";"))
    assert csp["default-src"] == "'none'"
    assert csp["img-src"] == "'self' data:"  # data: only for the inline favicon
    assert csp["style-src"] == site.csp_hash("".join(doc.raw["style"]))
    assert csp["script-src"] == site.csp_hash("".join(doc.raw["script"]))
    assert "connect-src" not in csp  # only `shareables serve` polls
    assert "unsafe" not in str(meta["content"])
    assert not doc.find("html", **{"data-live-reload": "x"})
    # No inline event handlers or style attributes: the CSP would block them anyway.
    assert not [a for _, a in doc.tags if "style" in a or any(k.startswith("on") for k in a)]


def test_every_link_is_a_local_relative_path(page_html: str, sample_output: Path) -> None:
    doc = parse(page_html)
    links = [a["href"] for a in doc.find("a") if not str(a["href"]).startswith("#")]
    imgs = [a["src"] for a in doc.find("img")]
    assert links and imgs
    for url in links + imgs:
        assert not re.match(r"^[a-z]+:|^//", str(url)), url
        assert (sample_output / str(url)).is_file(), url


def test_downloads_cover_every_artefact_with_friendly_names(page_html: str,
                                                            sample_output: Path) -> None:
    manifest = manifest_of(sample_output)
    doc = parse(page_html)
    hrefs = {a["href"]: a["download"] for a in doc.find("a") if a.get("download")}
    wanted = {a["path"] for a in manifest["artefacts"]
              if a["role"] in ("image", "slide", "pdf", "bundle")}
    assert set(hrefs) == wanted
    assert hrefs["palestine/darwish-palestine/ar/instagram-story.png"] == (
        "madre-darwish-palestine-ar-instagram-story.png")
    text = " ".join(" ".join(doc.text).split())
    assert re.search(r"Instagram story · 270×480 · PNG · \d+ KB", text)
    assert re.search(r"LinkedIn document · 3 pages · PDF · \d+ KB", text)
    assert "All slides and sizes · ZIP" in text


def test_thumbnails_are_previews_with_alt_and_size(page_html: str, sample_output: Path) -> None:
    manifest = manifest_of(sample_output)
    thumbs = {a["path"]: a for a in manifest["artefacts"] if a["role"] == "thumbnail"}
    imgs = parse(page_html).find("img")
    assert imgs
    for img in imgs:
        art = thumbs[str(img["src"])]  # KeyError: a full-size file used as a preview
        assert img["width"] == str(art["width"]) and img["height"] == str(art["height"])
        assert img["alt"]
    alts = [i["alt"] for i in imgs]
    assert any(a and a.startswith("Quote by Mahmoud Darwish") for a in alts)
    assert "Slide 2 of 3" in alts


def test_arabic_text_is_marked_rtl(page_html: str) -> None:
    doc = parse(page_html)
    assert doc.find("html", lang="en", dir="ltr")
    quotes = doc.find("blockquote", lang="ar", dir="rtl")
    assert quotes
    assert doc.find("p", **{"class": "caption-text", "lang": "ar", "dir": "rtl"})
    assert doc.find("button", lang="ar")  # the language switch names Arabic in Arabic
    # Every blockquote, caption and description carries the language it is written in.
    for tag, a in doc.tags:
        if tag == "blockquote" or "caption-text" in str(a.get("class")):
            assert a.get("lang") and a.get("dir"), a


def test_handles_in_rtl_text_are_isolated() -> None:
    assert site.isolate_tags("درويش @madrespeaks <b>") == (
        "درويش <bdi>@madrespeaks</bdi> &lt;b&gt;")


def test_open_graph_tags_use_an_absolute_image_with_base_url(sample_output: Path) -> None:
    manifest = manifest_of(sample_output)
    html = site.render_index(manifest, by_path, base_url="https://shareables.example.org/s/")
    doc = parse(html)
    og = {a["property"]: a["content"] for a in doc.find("meta") if a.get("property")}
    tw = {a["name"]: a["content"] for a in doc.find("meta") if a.get("name")}
    assert og["og:image"] == "https://shareables.example.org/s/site/og.png"
    assert og["og:image:alt"] == manifest["site"]["og_alt"]
    assert og["og:image:width"] == "1200" and og["og:image:height"] == "630"
    assert og["og:url"] == "https://shareables.example.org/s/"
    assert tw["twitter:card"] == "summary_large_image"
    assert tw["twitter:image:alt"] == manifest["site"]["og_alt"]
    with pytest.raises(site.UnsafeURLError):
        site.render_index(manifest, by_path, base_url="javascript:alert(1)//")


def test_links_come_from_url_for_and_pass_the_allow_list(sample_output: Path) -> None:
    manifest = manifest_of(sample_output)
    html = site.render_index(manifest, lambda a: f"files/{a['sha256'][:8]}/{Path(a['path']).name}")
    assert 'href="files/' in html and 'href="palestine/' not in html
    with pytest.raises(site.UnsafeURLError, match="javascript"):
        site.render_index(manifest, lambda a: "javascript:alert(1)")
    # Thumbnails on another https origin (a CDN) are allowed by the CSP, and only that origin.
    cdn = site.render_index(manifest, lambda a: "https://cdn.example.org/" + a["path"])
    (meta,) = parse(cdn).find("meta", **{"http-equiv": "Content-Security-Policy"})
    assert "img-src 'self' data: https://cdn.example.org;" in str(meta["content"])


def test_text_with_markup_is_escaped(page_html: str) -> None:
    assert "<script>alert" not in page_html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page_html
    assert "<img src=x" not in page_html and "<b>not bold" not in page_html
    assert page_html.count("<script>") == 1


def test_failed_variants_are_not_linked(sample_output: Path) -> None:
    manifest = manifest_of(sample_output)
    manifest["variants"].append({**manifest["variants"][0], "lang": "fa", "original": False,
                                 "errors": ["designs/x.yaml:3:1: text: too long"]})
    html = site.render_index(manifest, by_path)
    assert 'data-lang="fa"' not in html


def test_untitled_designs_are_headed_by_their_opening_words() -> None:
    assert site.excerpt("Women human rights defenders keep their communities alive.") == (
        "Women human rights defenders keep their communities alive.")
    assert site.excerpt("Taliban members have committed torture, murder, sexual violence, "
                        "and other acts") == (
        "Taliban members have committed torture, murder, sexual…")
    assert site.list_separator("ar") == "، " and site.list_separator("en") == ", "


def test_an_empty_manifest_renders_a_helpful_page() -> None:
    html = site.render_index({"format": 1, "variants": [], "artefacts": []}, by_path)
    assert "Nothing to download yet" in html and "<h1>" in html


# --- in Chromium, on the output of a real `shareables build` ---------------------------------
# Waits use Playwright's locator expectations: wait_for_function polls with eval(), which the
# page's CSP (rightly) forbids.

browser = pytest.mark.browser
DARWISH = "design-darwish-on-this-earth"
DARWISH_EN = "#v-palestine-darwish-on-this-earth-en"
DARWISH_AR = "#v-palestine-darwish-on-this-earth-ar"
CAROUSEL = "design-three-things"
DOWNLOADABLE = ("image", "slide", "pdf", "bundle")


@pytest.fixture
def page_url(built_site: Path, serve_dir: Any) -> str:
    return serve_dir(built_site) + "index.html"


def visible_designs(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "article.design", "els => els.filter(e => e.offsetParent !== null).map(e => e.id)")


def all_designs(built_site: Path) -> set[str]:
    return {f"design-{v['design']}" for v in manifest_of(built_site)["variants"]}


@browser
def test_every_download_and_thumbnail_is_served_with_its_type(
        new_page: Any, page_url: str, built_site: Path) -> None:
    manifest = manifest_of(built_site)
    types = {a["path"]: a["content_type"] for a in manifest["artefacts"]}
    page = new_page()
    page.goto(page_url)
    page.wait_for_load_state("networkidle")
    hrefs = page.eval_on_selector_all("a[download]", "els => els.map(e => e.href)")
    srcs = page.eval_on_selector_all("img", "els => els.map(e => e.currentSrc || e.src)")
    base = page_url.rsplit("/", 1)[0] + "/"
    assert sorted(h.removeprefix(base) for h in hrefs) == sorted(
        a["path"] for a in manifest["artefacts"] if a["role"] in DOWNLOADABLE)
    assert len(srcs) >= len(manifest["variants"])
    for url in hrefs + srcs:
        r = page.request.get(url)
        assert r.status == 200, url
        assert r.headers["content-type"] == types[url.removeprefix(base)], url
    # Previews are the small thumbnails, never the full-size files.
    thumbs = {a["path"] for a in manifest["artefacts"] if a["role"] == "thumbnail"}
    assert {u.removeprefix(base) for u in srcs} <= thumbs
    # Thumbnails really decode (and the CSP lets them load).
    assert page.eval_on_selector_all("img[loading=eager]", "els => els.every(e => e.naturalWidth)")
    assert all(u.startswith(base) for u in page.requests), "the page left the local server"
    assert page.console_errors == []  # includes CSP violations


@browser
def test_filters_work_with_javascript(new_page: Any, page_url: str, built_site: Path) -> None:
    page = new_page()
    page.goto(page_url)
    assert set(visible_designs(page)) == all_designs(built_site)
    page.select_option("#f-platform", "linkedin-document")
    assert visible_designs(page) == [CAROUSEL]
    assert page.is_hidden("#campaign-palestine")
    assert "platform=linkedin-document" in page.url
    # Only that platform's download (and the zip) stays listed.
    links = page.eval_on_selector_all(
        f"#{CAROUSEL} .downloads > ul > li",
        "els => els.filter(e => !e.hidden).map(e => e.dataset.platform || 'bundle')")
    assert links == ["linkedin-document", "bundle"]

    page.click("button.reset")
    expect(page.locator("article.design[hidden]")).to_have_count(0)
    page.select_option("#f-lang", "ar")
    assert visible_designs(page) == [DARWISH]
    assert page.is_visible(DARWISH_AR) and page.is_hidden(DARWISH_EN)
    assert page.text_content("#filter-status") == "1 design shown"

    page.select_option("#f-lang", "")
    page.select_option("#f-campaign", "afghanistan")
    assert {d for d in visible_designs(page)} == {
        "design-defenders", "design-escape-test", "design-gender-persecution", CAROUSEL}
    page.select_option("#f-lang", "ar")  # nothing from Afghanistan in Arabic (yet)
    assert visible_designs(page) == []
    assert page.is_visible("#no-match")
    # A shared filtered link opens filtered.
    page.goto(page_url + "?campaign=palestine&lang=en")
    assert page.is_hidden("#no-match")
    assert set(visible_designs(page)) == {DARWISH, "design-share-palestine"}
    assert page.is_visible(DARWISH_EN)

    # The language switch shows one variant at a time.
    page.goto(page_url)
    assert page.is_visible(DARWISH_EN) and page.is_hidden(DARWISH_AR)
    page.click(f"#{DARWISH} .langswitch button[lang=ar]")
    assert page.is_visible(DARWISH_AR) and page.is_hidden(DARWISH_EN)
    assert page.get_attribute(f"#{DARWISH} .langswitch button[lang=ar]", "aria-pressed") == "true"
    assert page.eval_on_selector(f"{DARWISH_AR} blockquote", "e => getComputedStyle(e).direction"
                                 ) == "rtl"


@browser
def test_without_javascript_the_whole_page_shows(
        new_page: Any, page_url: str, built_site: Path) -> None:
    manifest = manifest_of(built_site)
    page = new_page(java_script_enabled=False)
    page.goto(page_url)
    assert set(visible_designs(page)) == all_designs(built_site)
    # Every language variant and every download is listed; controls that need JS are not.
    assert page.is_visible(DARWISH_AR) and page.is_visible(DARWISH_EN)
    downloads = page.eval_on_selector_all("a[download]", "els => els.length")
    assert downloads == sum(a["role"] in DOWNLOADABLE for a in manifest["artefacts"])
    assert page.is_hidden("#filters")
    assert page.eval_on_selector_all("button.copy", "els => els.every(e => e.hidden)")
    assert page.eval_on_selector_all("a.dl:not(.small)", "els => els.every(e => e.offsetParent)")
    # Carousel slides sit in a <details> that opens without script.
    page.click(f"#{CAROUSEL} .slide-set summary >> nth=0")
    assert page.is_visible(f"#{CAROUSEL} a.dl.small >> nth=0")


@browser
def test_copy_caption_puts_the_caption_on_the_clipboard(
        new_page: Any, page_url: str, built_site: Path) -> None:
    caption = next(v["caption"] for v in manifest_of(built_site)["variants"]
                   if v["design"] == "darwish-on-this-earth" and v["lang"] == "ar")
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    page.goto(page_url)
    page.click(f"#{DARWISH} .langswitch button[lang=ar]")
    page.click(f"{DARWISH_AR} button.copy")
    expect(page.locator(f"{DARWISH_AR} .copied")).to_have_text("Caption copied")
    assert page.evaluate("navigator.clipboard.readText()") == caption


@browser
@pytest.mark.parametrize("width,height", [(390, 844), (360, 740), (1280, 900)])
def test_nothing_overflows_and_screenshots_are_kept(
        new_page: Any, page_url: str, artifacts_dir: Path, width: int, height: int) -> None:
    page = new_page(viewport={"width": width, "height": height})
    page.goto(page_url)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Nothing pokes out of the viewport except inside the slide strip, which scrolls itself.
    wide = page.evaluate("""w => [...document.querySelectorAll('body *')]
        .filter(e => !e.closest('.strip ol') && e.getBoundingClientRect().right > w + 0.5)
        .map(e => e.tagName + '.' + e.className)""", width)
    assert wide == []
    # Load the lazy thumbnails too, so the full-page screenshot shows what a reader scrolls to.
    page.eval_on_selector_all("img[loading=lazy]", "els => els.forEach(e => e.loading = 'eager')")
    page.wait_for_load_state("networkidle")
    page.evaluate("Promise.all([...document.images].map(i => i.decode().catch(() => null)))")
    page.screenshot(path=str(artifacts_dir / f"site-{width}x{height}.png"), full_page=True)
    page.screenshot(path=str(artifacts_dir / f"site-{width}x{height}-top.png"))
    if width == 390:
        page.goto(page_url + "?lang=ar")
        page.locator(f"#{DARWISH}").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts_dir / "site-390x844-arabic.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width


@browser
def test_keyboard_users_see_where_they_are(new_page: Any, page_url: str) -> None:
    page = new_page()
    page.goto(page_url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.is_visible("a.skip")
    page.keyboard.press("Enter")
    for _ in range(8):
        page.keyboard.press("Tab")
    style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, parseFloat(s.outlineWidth)] }""")
    assert style[0] != "none" and style[1] >= 2


@browser
def test_axe_finds_no_accessibility_violations(new_page: Any, page_url: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = new_page()
    for url in (page_url, page_url + "?lang=ar"):
        page.goto(url)
        page.eval_on_selector_all("details", "els => els.forEach(d => d.open = true)")
        results = axe.run(page)
        assert results.violations_count == 0, results.generate_report()
    # The page as a browser without JavaScript shows it (axe itself needs JS to run, so the
    # page's own script is removed instead of switching JavaScript off).
    no_js = new_page()
    no_js.route("**/index.html", lambda route: route.fulfill(
        response=route.fetch(),
        body=re.sub(r"<script>.*?</script>", "", route.fetch().text(), flags=re.S)))
    no_js.goto(page_url)
    assert no_js.is_hidden("#filters") and no_js.is_visible(DARWISH_AR)
    results = axe.run(no_js)
    assert results.violations_count == 0, results.generate_report()


@browser
def test_markup_in_designs_renders_as_text(new_page: Any, page_url: str) -> None:
    page = new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(page_url)
    page.wait_for_load_state("networkidle")
    card = "#design-escape-test"
    assert page.text_content(f"{card} h3") == 'Say "no" to <script>alert(1)</script>'
    assert page.inner_text(f"{card} blockquote") == (
        '<script>alert("x")</script> & "quotes" stay text')
    assert page.inner_text(f"{card} .caption-text") == '<b>not bold</b> "caption" @madrespeaks'
    assert page.get_attribute(f"{card} img", "alt") == (
        'Alt with <img src=x onerror=alert(1)> and "quotes"')
    assert page.eval_on_selector_all("script", "els => els.length") == 1
    assert dialogs == []


@browser
@pytest.mark.s3
def test_the_published_page_works_from_the_bucket(
        new_page: Any, built_site: Path, s3_server: Any, s3_bucket: str, s3_env: Any) -> None:
    """Publish the real build to SeaweedFS and load the page from the bucket's URL."""
    from shareables.project.model import PublishTarget
    from shareables.publish.protocol import publish
    from shareables.publish.s3 import resolve_target

    target = resolve_target(PublishTarget(bucket=s3_bucket, prefix="shareables/",
                                          endpoint_url=s3_server.endpoint))
    publish(built_site, target)
    page = new_page()
    page.goto(target.page_url())
    page.wait_for_load_state("networkidle")
    assert set(visible_designs(page)) == all_designs(built_site)
    hrefs = page.eval_on_selector_all("a[download]", "els => els.map(e => e.href)")
    srcs = page.eval_on_selector_all("img", "els => els.map(e => e.currentSrc || e.src)")
    assert all("/files/" in u for u in hrefs + srcs)
    for url in hrefs + srcs:
        r = page.request.get(url)
        assert r.status == 200, url
        ext = url.rsplit(".", 1)[1]
        assert r.headers["content-type"] == {
            "jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf",
            "zip": "application/zip"}[ext], url
    assert page.eval_on_selector_all("img[loading=eager]", "els => els.every(e => e.naturalWidth)")
    assert page.console_errors == []
    og = page.get_attribute('meta[property="og:image"]', "content")
    assert og and og.startswith(("http://", "https://"))


@pytest.mark.skipif(not VNU.exists(), reason="needs vnu-jar: run `bash scripts/install-system.sh`")
def test_nu_html_checker_reports_no_errors(sample_output: Path, built_site: Path,
                                           tmp_path: Path) -> None:
    pages = [sample_output / "index.html", tmp_path / "serve.html", tmp_path / "empty.html",
             built_site / "index.html"]
    manifest = manifest_of(sample_output)
    pages[1].write_text(site.render_index(manifest, by_path, live_reload="/__shareables/version",
                                          base_url="https://example.org/"))
    pages[2].write_text(site.render_index({"variants": [], "artefacts": []}, by_path,
                                          problems=["designs/x.yaml:1:1: text: required"]))
    r = subprocess.run(["java", "-jar", str(VNU), "--errors-only", *map(str, pages)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr + r.stdout
