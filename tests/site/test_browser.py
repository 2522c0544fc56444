"""The download pages in Debian Chromium, on the output of a real `shareables build`.

A supporter's path: find (index, search, campaign page), preview (the inline full image),
share (Web Share API with files), save (the download). Waits use Playwright's locator
expectations: wait_for_function polls with eval(), which the pages' CSP rightly forbids.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

DARWISH = "#d-darwish-on-this-earth"
CAROUSEL = "#d-three-things"
DOWNLOADABLE = ("image", "slide", "pdf", "bundle")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3,
         "is_mobile": True, "has_touch": True}

# navigator.share stubbed before any page script runs: records what the page hands over.
SHARE_STUB = """
window.__shared = [];
navigator.canShare = (data) => !!(data && data.files && data.files.every(f => f instanceof File));
navigator.share = async (data) => {
  window.__shared.push({text: data.text, title: data.title, files: await Promise.all(
    data.files.map(async f => ({name: f.name, type: f.type, size: f.size,
                                isFile: f instanceof File})))});
};
"""
NO_FILE_SHARE = "navigator.canShare = () => false; navigator.share = async () => {};"


def manifest_of(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text())


@pytest.fixture
def base(built_site: Path, serve_dir: Any) -> str:
    return serve_dir(built_site)


def test_the_index_leads_to_one_page_per_campaign(new_page: Any, base: str) -> None:
    page = new_page(**PHONE)
    page.goto(base + "index.html")
    expect(page.locator("a.campaign")).to_have_count(2)
    page.click("a.campaign:has-text('Palestine')")
    expect(page).to_have_url(base + "palestine.html")
    expect(page.locator("h1")).to_have_text("Palestine")
    ids = page.eval_on_selector_all("article.card", "els => els.map(e => e.id)")
    assert ids == ["d-darwish-on-this-earth", "d-share-palestine"]
    assert page.console_errors == []


def test_share_hands_the_platforms_files_and_the_caption_to_navigator_share(
        new_page: Any, base: str, built_site: Path) -> None:
    page = new_page(**PHONE)
    page.add_init_script(SHARE_STUB)
    page.goto(base + "palestine.html")
    share = page.locator(f"{DARWISH} button.share")
    expect(share).to_be_visible()
    expect(page.locator(f"{DARWISH} a.save")).to_be_visible()  # the secondary action
    share.click()
    expect(page.locator(f"{DARWISH} .hint.status")).to_have_text("")
    (call,) = page.evaluate("window.__shared")
    v = next(v for v in manifest_of(built_site)["variants"]
             if v["design"] == "darwish-on-this-earth" and v["lang"] == "en")
    assert call["text"] == v["caption"] and call["title"] == "Mahmoud Darwish"
    image = (built_site / "palestine/darwish-on-this-earth/en/instagram-portrait.jpg")
    assert call["files"] == [{"name": "madre-darwish-on-this-earth-en-instagram-portrait.jpg",
                              "type": "image/jpeg", "size": image.stat().st_size,
                              "isFile": True}]
    # Choosing "Story 9:16" shares the story file instead (and every card follows).
    page.click(f"{DARWISH} .sizes button[data-shape=story]")
    expect(page.locator(f"{DARWISH} .shot")).to_have_class(re.compile("shape-story"))
    expect(page.locator("#d-share-palestine .sizes button[data-shape=story]")
           ).to_have_attribute("aria-pressed", "true")
    share.click()
    expect(page.locator(f"{DARWISH} .hint.status")).to_have_text("")
    files = page.evaluate("window.__shared")[1]["files"]
    assert [(f["name"], f["type"]) for f in files] == [
        ("madre-darwish-on-this-earth-en-instagram-story.png", "image/png")]
    href = page.get_attribute(f"{DARWISH} a.save", "href")
    assert href == "palestine/darwish-on-this-earth/en/instagram-story.png"


def test_a_carousel_shares_its_slides_in_order(new_page: Any, base: str,
                                               built_site: Path) -> None:
    page = new_page(**PHONE)
    page.add_init_script(SHARE_STUB)
    page.goto(base + "afghanistan.html")
    slides = sorted(a["path"] for a in manifest_of(built_site)["artefacts"]
                    if a["design"] == "three-things" and a["platform"] == "instagram-portrait"
                    and a["role"] == "slide")
    assert len(slides) >= 3
    expect(page.locator(f"{CAROUSEL} .strip li")).to_have_count(len(slides))
    assert page.inner_text(f"{CAROUSEL} .strip li >> nth=0").strip() == f"1/{len(slides)}"
    page.click(f"{CAROUSEL} button.share")
    expect(page.locator(f"{CAROUSEL} .hint.status")).to_have_text("")
    (call,) = page.evaluate("window.__shared")
    assert [f["name"] for f in call["files"]] == [
        f"madre-three-things-en-instagram-portrait-{i:02d}.jpg"
        for i in range(1, len(slides) + 1)]
    assert {f["type"] for f in call["files"]} == {"image/jpeg"}
    # Save gives the zip of this shape only: its slides in order and the README.
    save = page.get_attribute(f"{CAROUSEL} a.save", "href")
    assert save == "afghanistan/three-things/en/three-things-en-portrait.zip"
    assert page.get_attribute(f"{CAROUSEL} a.save", "download") == (
        "madre-three-things-en-portrait.zip")
    with zipfile.ZipFile(built_site / save) as zf:
        assert zf.namelist() == ["three-things-en/README.txt"] + [
            f"three-things-en/instagram-portrait-{i:02d}.jpg" for i in range(1, len(slides) + 1)]
    page.click(f"{CAROUSEL} .sizes button[data-shape=wide]")
    wide = page.get_attribute(f"{CAROUSEL} a.save", "href")
    assert wide == "afghanistan/three-things/en/three-things-en-wide.zip"
    with zipfile.ZipFile(built_site / wide) as zf:
        assert "three-things-en/linkedin-document.pdf" in zf.namelist()


def test_without_file_sharing_save_image_is_the_action(new_page: Any, base: str) -> None:
    page = new_page(**PHONE)
    page.add_init_script(NO_FILE_SHARE)
    page.goto(base + "palestine.html")
    expect(page.locator(f"{DARWISH} button.share")).to_be_hidden()
    save = page.locator(f"{DARWISH} a.save")
    expect(save).to_be_visible()
    assert save.get_attribute("download") == "madre-darwish-on-this-earth-en-instagram-portrait.jpg"
    assert page.eval_on_selector(f"{DARWISH} a.save", "e => getComputedStyle(e).color"
                                 ) == "rgb(255, 255, 255)"  # filled: it is the primary now
    expect(page.locator(f"{DARWISH} .inapp")).to_be_hidden()
    # In an in-app browser (Instagram's), the page says how to get to a real browser.
    app = new_page(**PHONE, user_agent="Mozilla/5.0 (Linux; Android 14; wv) Instagram 300.0")
    app.add_init_script(NO_FILE_SHARE)
    app.goto(base + "palestine.html")
    expect(app.locator(f"{DARWISH} .inapp")).to_be_visible()
    expect(app.locator(f"{DARWISH} .inapp")).to_contain_text("open this page in your browser")


def test_search_finds_a_design_in_any_language_and_opens_its_card(new_page: Any,
                                                                  base: str) -> None:
    page = new_page(**PHONE)
    page.goto(base + "index.html")
    page.fill("#q", "درويش")
    expect(page.locator(".results a")).to_have_count(1)
    expect(page.locator(".search-status")).to_have_text("Found: 1")
    page.fill("#q", "zzzz-nothing")
    expect(page.locator(".search-status")).to_have_text("Nothing matches “zzzz-nothing”.")
    page.fill("#q", "darwish")
    page.click(".results a")
    expect(page).to_have_url(base + "palestine.html#d-darwish-on-this-earth")
    assert page.console_errors == []


def test_an_arabic_browser_gets_the_arabic_page_right_to_left(new_page: Any, base: str) -> None:
    page = new_page(**PHONE, locale="ar-EG")
    page.goto(base + "index.html")
    expect(page).to_have_url(base + "index.ar.html")
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "ar"
    expect(page.locator("h2").first).to_have_text("الحملات")
    page.click("a.campaign:has-text('Palestine')")
    expect(page).to_have_url(base + "palestine.ar.html")
    expect(page.locator(f"{DARWISH} h2")).to_have_text("محمود درويش")
    assert page.eval_on_selector(f"{DARWISH} blockquote", "e => getComputedStyle(e).direction"
                                 ) == "rtl"
    expect(page.locator(f"{DARWISH} .sizes button >> nth=0")).to_have_text("عمودي 4:5")
    # The visitor's own choice wins over the browser language, and is remembered.
    page.click("nav.langs a[hreflang=en]")
    expect(page).to_have_url(base + "palestine.html")
    page.goto(base + "index.html")
    expect(page).to_have_url(base + "index.html")


def test_without_javascript_every_file_is_reachable_by_links(
        new_page: Any, base: str, built_site: Path) -> None:
    manifest = manifest_of(built_site)
    page = new_page(java_script_enabled=False)
    seen_pages: set[str] = set()
    files: set[str] = set()
    queue = [base + "index.html"]
    while queue:
        url = queue.pop()
        if url in seen_pages:
            continue
        seen_pages.add(url)
        page.goto(url)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            href = href.split("#")[0]
            if not href.startswith(base):
                continue
            rel = href.removeprefix(base)
            if rel.endswith(".html"):
                queue.append(href)
            elif page.locator(f'a[href="{rel}"][download]').count():
                files.add(rel)
    assert files == {a["path"] for a in manifest["artefacts"] if a["role"] in DOWNLOADABLE}
    assert base + "palestine.ar.html" in seen_pages
    # Script-only controls are not shown; the details open without script.
    page.goto(base + "palestine.html")
    expect(page.locator(f"{DARWISH} .sizes")).to_be_hidden()
    expect(page.locator(f"{DARWISH} button.share")).to_be_hidden()
    expect(page.locator("form.search")).to_be_hidden()
    page.click(f"{DARWISH} details.more summary")
    expect(page.locator(f"{DARWISH} a.dl >> nth=0")).to_be_visible()


def test_copy_buttons_put_the_caption_and_the_description_on_the_clipboard(
        new_page: Any, base: str, built_site: Path) -> None:
    v = next(v for v in manifest_of(built_site)["variants"]
             if v["design"] == "darwish-on-this-earth" and v["lang"] == "ar")
    page = new_page(permissions=["clipboard-read", "clipboard-write"], locale="ar")
    page.goto(base + "palestine.ar.html")
    page.click(f"{DARWISH} details.more summary")
    page.click(f"{DARWISH} button.copy >> nth=0")
    expect(page.locator(f"{DARWISH} .copied >> nth=0")).to_have_text("تم النسخ")
    assert page.evaluate("navigator.clipboard.readText()") == v["caption"]
    page.click(f"{DARWISH} button.copy >> nth=1")
    assert page.evaluate("navigator.clipboard.readText()") == v["alt"]


def test_the_embed_page_tells_its_parent_how_tall_it_is(
        new_page: Any, base: str, built_site: Path) -> None:
    host = built_site / "host-test.html"
    host.write_text(
        "<!doctype html><title>host</title><p>Our campaign page</p>"
        '<iframe src="palestine.embed.html" title="t" allow="web-share" data-shareables '
        'style="width:100%;height:50px;border:0"></iframe><script>'
        'addEventListener("message",function(e){var f=document.querySelector("iframe");'
        'if(e.source===f.contentWindow&&e.data.type==="shareables:height")'
        'f.style.height=e.data.height+"px"});</script>')
    try:
        page = new_page(viewport={"width": 390, "height": 844})
        page.goto(base + "host-test.html")
        frame = page.frame_locator("iframe")
        expect(frame.locator(f"{DARWISH}")).to_be_visible()
        expect(page.locator("iframe")).not_to_have_attribute("style", re.compile("height: ?50px"))
        height = page.eval_on_selector("iframe", "e => e.getBoundingClientRect().height")
        inner = page.frame_locator("iframe").locator("html").evaluate(
            "e => e.getBoundingClientRect().height")
        assert height == pytest.approx(inner, abs=2) and height > 500
        assert frame.locator("header").count() == 0
        expect(frame.locator(".see-all a")).to_have_attribute("target", "_top")
    finally:
        host.unlink()


def test_layout_does_not_shift_and_nothing_overflows_on_a_phone(
        new_page: Any, base: str, artifacts_dir: Path) -> None:
    for width in (360, 390, 1280):
        page = new_page(viewport={"width": width, "height": 844})
        page.add_init_script("""window.__cls = 0; new PerformanceObserver(l => l.getEntries()
            .forEach(e => { if (!e.hadRecentInput) window.__cls += e.value; }))
            .observe({type: 'layout-shift', buffered: true});""")
        for name in ("index.html", "palestine.html", "afghanistan.html", "palestine.ar.html"):
            page.goto(base + name)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, name
            assert page.evaluate("window.__cls") < 0.1, name
        page.close()


def test_axe_finds_no_accessibility_violations_on_any_page_type(new_page: Any,
                                                                 base: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    for name, locale in (("index.html", "en"), ("palestine.html", "en"),
                         ("afghanistan.html", "en"), ("palestine.embed.html", "en"),
                         ("index.ar.html", "ar"), ("palestine.ar.html", "ar")):
        page = new_page(locale=locale)
        page.goto(base + name)
        page.eval_on_selector_all("details", "els => els.forEach(d => d.open = true)")
        page.fill("#q", "a") if page.locator("#q").count() else None
        results = axe.run(page)
        assert results.violations_count == 0, (name, results.generate_report())
    # As a browser without JavaScript shows it (axe needs JS, so the page's scripts go).
    no_js = new_page()
    no_js.route("**/palestine.html", lambda route: route.fulfill(
        response=route.fetch(),
        body=re.sub(r"<script>.*?</script>", "", route.fetch().text(), flags=re.S)))
    no_js.goto(base + "palestine.html")
    expect(no_js.locator(f"{DARWISH} .sizes")).to_be_hidden()
    results = axe.run(no_js)
    assert results.violations_count == 0, results.generate_report()


def test_markup_in_designs_renders_as_text(new_page: Any, base: str) -> None:
    page = new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base + "afghanistan.html")
    card = "#d-escape-test"
    assert page.text_content(f"{card} h2") == 'Say "no" to <script>alert(1)</script>'
    assert page.inner_text(f"{card} blockquote") == (
        '<script>alert("x")</script> & "quotes" stay text')
    page.click(f"{card} details.more summary")
    assert page.inner_text(f"{card} .copytext >> nth=0") == (
        '<b>not bold</b> "caption" @madrespeaks')
    assert page.eval_on_selector_all("script:not([type])", "els => els.length") == 2
    assert dialogs == []
    assert "**" not in page.inner_text("main")


@pytest.mark.s3
def test_published_pages_preview_inline_download_attachment_and_arrive_gzipped(
        new_page: Any, built_site: Path, s3_server: Any, s3_bucket: str, s3_env: Any,
        artifacts_dir: Path) -> None:
    """Publish the real build to SeaweedFS and use it as a supporter does, on a phone."""
    from shareables.project.model import PublishTarget
    from shareables.publish.protocol import publish
    from shareables.publish.s3 import resolve_target

    target = resolve_target(PublishTarget(bucket=s3_bucket, prefix="shareables/",
                                          endpoint_url=s3_server.endpoint))
    publish(built_site, target)
    page = new_page(**PHONE)
    page.add_init_script(SHARE_STUB)
    response = page.goto(urljoin(target.page_url(), "palestine.html"))
    assert response is not None and response.headers["content-encoding"] == "gzip"
    expect(page.locator(f"{DARWISH} button.share")).to_be_visible()
    # Preview: the tap target is the same image bytes, served inline (Save to Photos).
    view = page.eval_on_selector(f"{DARWISH} a.view", "e => e.href")
    save = page.eval_on_selector(f"{DARWISH} a.save", "e => e.href")
    assert "/view/" in view and "/view/" not in save
    r = page.request.get(view)
    assert r.status == 200 and r.headers["content-disposition"] == "inline"
    assert r.headers["content-type"] == "image/jpeg"
    d = page.request.get(save)
    assert d.headers["content-disposition"].startswith("attachment; filename=")
    assert r.body() == d.body()
    # Share sends the real file from the bucket.
    page.click(f"{DARWISH} button.share")
    expect(page.locator(f"{DARWISH} .hint.status")).to_have_text("")
    (call,) = page.evaluate("window.__shared")
    assert call["files"][0]["size"] == len(d.body())
    # Every preview image on the page loads (the CSP lets it; the srcset resolves).
    page.wait_for_load_state("networkidle")
    assert page.eval_on_selector_all("img:not([loading=lazy])",
                                     "els => els.every(e => e.naturalWidth > 0)")
    assert page.console_errors == []
    og = page.get_attribute('meta[property="og:image"]', "content")
    assert og and og.startswith(("http://", "https://"))


@pytest.mark.parametrize("locale", ["en-US", "ar-EG"])
def test_a_supporter_on_a_phone_finds_previews_shares_and_saves(
        new_page: Any, base: str, artifacts_dir: Path, locale: str) -> None:
    """The whole errand at 390 px, 3x, touch: find Darwish, open the image, share, save.

    Screenshots of each step are kept in test-artifacts/ (site-390-<lang>-<step>.png).
    """
    lang = locale.split("-")[0]
    suffix = "" if lang == "en" else f".{lang}"
    shots = artifacts_dir / f"site-390-{lang}"
    page = new_page(**{**PHONE, "device_scale_factor": 2}, locale=locale)
    page.add_init_script(SHARE_STUB)
    page.goto(base + "index.html")
    expect(page).to_have_url(base + f"index{suffix}.html")
    page.screenshot(path=f"{shots}-1-index.png")
    page.fill("#q", "درويش" if lang == "ar" else "darwish")
    expect(page.locator(".results a")).to_have_count(1)
    page.screenshot(path=f"{shots}-2-find.png")
    page.click(".results a")  # tap 1 (after typing)
    expect(page).to_have_url(base + f"palestine{suffix}.html#d-darwish-on-this-earth")
    card = page.locator(DARWISH)
    card.scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=f"{shots}-3-card.png")
    card.locator(".sizes button[data-shape=story]").click()  # tap 2: the story size
    page.wait_for_load_state("networkidle")
    card.locator(".actions").scroll_into_view_if_needed()
    page.screenshot(path=f"{shots}-4-story.png")
    card.locator("button.share").click()  # tap 3: into the share sheet
    expect(card.locator(".hint.status")).to_have_text("")
    (call,) = page.evaluate("window.__shared")
    assert call["files"][0]["name"] == (
        f"madre-darwish-on-this-earth-{'ar' if lang == 'ar' else 'en'}-instagram-story.png")
    card.locator("details.more summary").click()
    card.locator("details.more").scroll_into_view_if_needed()
    page.screenshot(path=f"{shots}-5-save.png")
    with page.expect_download() as dl:
        card.locator("a.save").click()
    assert dl.value.suggested_filename == call["files"][0]["name"]
    card.locator("a.view").click()  # the full image, inline (long-press: Save to Photos)
    expect(page).to_have_url(re.compile(r"instagram-story\.png$"))
    page.screenshot(path=f"{shots}-6-preview.png")
