"""Download names of files several platforms share (site/names.py) and the page using them."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from shareables.platforms import PLATFORMS
from shareables.site.model import PageModel
from shareables.site.names import file_labels


def _art(pid: str, sha: str, role: str = "image", slide: int | None = None,
         **kw: Any) -> dict[str, Any]:
    p = PLATFORMS[pid]
    name = pid if slide is None else f"{pid}-{slide:02d}"
    return {"design": "d", "campaign": "c", "kind": "quote", "lang": "en", "platform": pid,
            "slide": slide, "role": role, "of": None, "path": f"c/d/en/{name}.jpg",
            "width": p.width, "height": p.height, "bytes": 1000, "sha256": sha,
            "content_type": "image/jpeg", **kw}


def test_a_file_several_platforms_share_is_named_by_its_shape() -> None:
    arts = [_art("instagram-portrait", "1"), _art("facebook", "1"), _art("threads", "1"),
            _art("instagram-story", "2"), _art("whatsapp-status", "2"),
            _art("x", "3"), _art("bluesky", "3"), _art("linkedin", "4"),
            _art("instagram-square", "5")]
    assert file_labels(arts) == {
        "c/d/en/instagram-portrait.jpg": "portrait", "c/d/en/facebook.jpg": "portrait",
        "c/d/en/threads.jpg": "portrait", "c/d/en/instagram-story.jpg": "story",
        "c/d/en/whatsapp-status.jpg": "story", "c/d/en/x.jpg": "wide",
        "c/d/en/bluesky.jpg": "wide"}  # a file only one platform has keeps its name


def test_shared_names_stay_unique_within_a_variant(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fourth portrait platform makes room for two different shared files on one shape:
    # neither may be called "portrait.jpg".
    fb = PLATFORMS["facebook"]
    monkeypatch.setitem(PLATFORMS, "mastodon", dataclasses.replace(fb, id="mastodon"))
    two = [_art("instagram-portrait", "1"), _art("threads", "1"), _art("facebook", "2"),
           _art("mastodon", "2"), _art("x", "3"), _art("bluesky", "3")]
    assert file_labels(two) == {
        "c/d/en/instagram-portrait.jpg": "instagram-portrait",
        "c/d/en/threads.jpg": "instagram-portrait", "c/d/en/facebook.jpg": "facebook",
        "c/d/en/mastodon.jpg": "facebook", "c/d/en/x.jpg": "wide", "c/d/en/bluesky.jpg": "wide"}
    # Slides share by number; the same bytes at another slide number are another file.
    slides = [_art("instagram-portrait", "s1", "slide", 1), _art("threads", "s1", "slide", 1),
              _art("instagram-portrait", "end", "slide", 2), _art("threads", "end", "slide", 3)]
    assert file_labels(slides) == {"c/d/en/instagram-portrait-01.jpg": "portrait",
                                   "c/d/en/threads-01.jpg": "portrait"}
    # Other designs and languages never share a name.
    other = [_art("instagram-portrait", "1"), {**_art("threads", "1"), "design": "e",
                                               "path": "c/e/en/threads.jpg"}]
    assert file_labels(other) == {}


def test_the_page_names_a_shared_download_as_the_publisher_does() -> None:
    arts = [_art("instagram-portrait", "1"), _art("threads", "1"), _art("facebook", "2")]
    manifest = {"brand": {"name": "MADRE"}, "artefacts": arts, "variants": [
        {"design": "d", "campaign": "c", "kind": "quote", "lang": "en", "dir": "ltr",
         "original": True, "text": "Words", "alt": "Alt", "platforms": []}]}
    (design,) = PageModel(manifest, lambda a: a["path"]).designs()
    (portrait,) = design["variants"]["en"]["groups"]
    names = {c["apps_label"]: c["file"]["download"] for c in portrait["choices"]}
    assert names == {"Instagram, Threads": "madre-d-en-portrait.jpg",
                     "Facebook": "madre-d-en-facebook.jpg"}
    # Published: the object's own name (its Content-Disposition), whatever it is.
    arts[0]["key"] = arts[1]["key"] = "files/1/madre-d-en-instagram-portrait.jpg"
    (design,) = PageModel(manifest, lambda a: a["key"] if "key" in a else a["path"]).designs()
    choices = design["variants"]["en"]["groups"][0]["choices"]
    assert choices[0]["file"]["download"] == "madre-d-en-instagram-portrait.jpg"
