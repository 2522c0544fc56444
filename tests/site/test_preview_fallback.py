"""Every shape a design is offered in keeps a preview when one of its platforms fails.

Thumbnails are made for one platform per shape (site/shapes.previewed). A carousel over X's
four-image limit fails for X and Bluesky but renders for LinkedIn, on the same wide shape:
the page must still show the supporter what LinkedIn's file looks like. Real renderer, real
page, real Chromium at phone width.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fixtures_project import make_project
from playwright.sync_api import expect

from shareables.build.pipeline import build_project
from shareables.build.worker import PillowRenderer

SEVEN_SLIDES = """\
kind: carousel
title: Six things to know
slides:
  - One thing.
  - Two things.
  - Three things.
  - Four things.
  - Five things.
  - Six things.
caption: A carousel. @madrespeaks
"""


@pytest.fixture(scope="module")
def over_x_limit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("previews") / "p", ("x", "linkedin"))
    for old in (root / "designs").rglob("*.yaml"):
        old.unlink()
    (root / "designs" / "c").mkdir()
    (root / "designs" / "c" / "six.yaml").write_text(SEVEN_SLIDES)
    result = build_project(root, jobs=1, renderer=PillowRenderer())
    assert [f.split(": ", 1)[0] for f in map(str, result.errors)] \
        and "x takes at most 4 images" in str(result.errors[0])
    return root / "output"


def test_a_shape_whose_first_platform_failed_is_previewed_by_one_that_rendered(
        over_x_limit: Path) -> None:
    manifest = json.loads((over_x_limit / "manifest.json").read_text())
    arts = [a for a in manifest["artefacts"] if a.get("design") == "six"]
    assert {a["platform"] for a in arts if a["role"] == "slide"} == {"linkedin"}
    thumbs = {a["platform"] for a in arts if a["role"] == "thumbnail"}
    assert thumbs == {"linkedin"}


@pytest.mark.browser
def test_the_supporter_sees_the_carousel_on_a_phone(over_x_limit: Path, new_page: Any,
                                                     serve_dir: Any) -> None:
    page = new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.goto(serve_dir(over_x_limit) + "c.html")
    card = page.locator("#d-six")
    preview = card.locator("img").first
    expect(preview).to_be_visible()
    assert preview.evaluate("img => img.complete && img.naturalWidth") > 0


def test_a_platform_filter_leaving_out_a_shapes_usual_preview_still_previews_it(
        tmp_path: Path) -> None:
    """`build --platform threads` on a fresh output: Instagram portrait (the shape's usual
    preview) is not built, so Threads' file must bring the portrait preview."""
    root = make_project(tmp_path / "p", ("instagram-portrait", "threads"))
    for old in (root / "designs").rglob("*.yaml"):
        if "darwish" not in old.name:
            old.unlink()

    def thumbnails() -> set[tuple[str, str]]:
        manifest = json.loads((root / "output" / "manifest.json").read_text())
        return {(a["lang"], a["platform"]) for a in manifest["artefacts"]
                if a["role"] == "thumbnail"}

    result = build_project(root, jobs=1, renderer=PillowRenderer(), platforms=["threads"])
    assert not result.errors
    assert thumbnails() == {("en", "threads"), ("ar", "threads")}
    page = (root / "output" / "palestine.html").read_text()
    assert "thumbs/threads.320w.jpg" in page
    # The full build that follows previews the usual platform again.
    assert not build_project(root, jobs=1, renderer=PillowRenderer()).errors
    assert thumbnails() == {("en", "instagram-portrait"), ("ar", "instagram-portrait")}


LONG_SLIDE = ("Solidarity means showing up for one another, again and again, across every "
              "border that was drawn to keep us apart. ") * 5


@pytest.mark.parametrize(("slide", "fails", "shown"), [
    (LONG_SLIDE[:550].rsplit(" ", 1)[0], "linkedin", "x"),  # too long for LinkedIn's height
    ("Short.", None, "x"),  # both render: X leads the shape, as in the platform table
], ids=["linkedin-fails", "both-render"])
def test_a_wide_carousel_keeps_one_preview_share_set_and_zip_whichever_canvas_renders(
        tmp_path: Path, slide: str, fails: str | None, shown: str) -> None:
    """The shape's preview, its Share set and its zip are one platform's slides, the first
    in table order that rendered."""
    import re
    import zipfile

    root = make_project(tmp_path / "p", ("x", "linkedin"))
    for old in (root / "designs").rglob("*.yaml"):
        old.unlink()
    (root / "designs" / "c").mkdir()
    (root / "designs" / "c" / "two.yaml").write_text(
        f'kind: carousel\ntitle: Two things\nslides:\n  - "{slide}"\n  - Two.\n')
    errors = build_project(root, jobs=1, renderer=PillowRenderer()).errors
    assert len(errors) == (1 if fails else 0)
    assert not fails or f"{fails}: the slides[0] does not fit" in str(errors[0])
    out = root / "output"
    manifest = json.loads((out / "manifest.json").read_text())
    made = {a["platform"] for a in manifest["artefacts"] if a["role"] == "slide"}
    assert made == {"x", "linkedin"} - {fails}
    assert {a["platform"] for a in manifest["artefacts"] if a["role"] == "thumbnail"} == made
    page = (out / "c.html").read_text()
    main = re.search(r'<li class="set main".*?</li>\s*</ol>', page, re.S)
    assert main and f"madre-two-en-{shown}-01" in main.group(0)
    if fails:
        return  # (a design with a failed platform gets no zip until it builds whole)
    with zipfile.ZipFile(out / "c/two/en/two-en-wide.zip") as zf:
        slides = [n for n in zf.namelist() if not n.endswith("README.txt")]
    assert slides and all(n.startswith(f"two-en/{shown}-") for n in slides)


def test_a_carousel_previews_every_platform_no_earlier_one_of_its_shape_covers() -> None:
    """Whichever platform of a shape renders first in table order has previews: another
    gets none only when an earlier one has its canvas and no lower image limit."""
    from shareables.site.shapes import previewed

    every = ["instagram-portrait", "facebook", "threads", "x", "linkedin", "bluesky",
             "instagram-story", "whatsapp-status", "linkedin-document", "og"]
    assert previewed(every, "carousel") == {"instagram-portrait", "x", "linkedin",
                                            "instagram-story"}
    # Facebook's 10 slides do not cover Threads' 20: a 15-slide carousel renders on Threads.
    assert previewed(["facebook", "threads"], "carousel") == {"facebook", "threads"}
    assert previewed(["facebook", "threads"], "quote") == {"facebook"}
    assert previewed(every, "quote") == {"instagram-portrait", "x", "instagram-story"}
