"""Rendering some pages gives what a full render gives for them, and `changed_pages` names
every page two manifests differ on (the build renders only those)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from shareables.site import page as site
from shareables.site.changed import changed_pages


def manifest_of(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text())


def by_path(a: dict[str, Any]) -> str:
    return str(a["path"])


def cdn(a: dict[str, Any]) -> str:
    return "https://cdn.example.org/" + str(a["path"])


def test_some_pages_render_exactly_as_in_a_full_render(sample_output: Path) -> None:
    manifest = manifest_of(sample_output)
    for url_for in (by_path, cdn):
        full = site.render_pages(manifest, url_for)
        for name in full:
            assert site.render_pages(manifest, url_for, only=[name]) == {name: full[name]}


def _differ(old: dict[str, Any], new: dict[str, Any], url_for: Any = by_path) -> set[str]:
    a, b = site.render_pages(old, url_for), site.render_pages(new, url_for)
    return {name for name in a.keys() | b.keys() if a.get(name) != b.get(name)}


def test_changed_pages_cover_every_page_that_differs(sample_output: Path) -> None:
    old = manifest_of(sample_output)
    design = old["variants"][0]["design"]
    new = copy.deepcopy(old)
    for a in new["artefacts"]:
        if a.get("design") == design:
            a["caption"] = "A different caption @madrespeaks"
    for v in new["variants"]:
        if v["design"] == design:
            v["caption"] = "A different caption @madrespeaks"
    changed = changed_pages(old, new, by_path)
    assert changed is not None and _differ(old, new) <= changed
    assert len(changed) < len(site.render_pages(new, by_path))  # not simply all of them
    assert changed_pages(old, copy.deepcopy(old), by_path) == set()


def test_site_wide_changes_mean_every_page(sample_output: Path) -> None:
    old = manifest_of(sample_output)
    brand = copy.deepcopy(old)
    brand["brand"]["name"] = "Another name"
    assert changed_pages(old, brand, by_path) is None
    # a preview moving to another origin changes every page's Content-Security-Policy
    moved = copy.deepcopy(old)
    thumb = next(a for a in moved["artefacts"] if a.get("role") == "thumbnail")
    thumb["path"] = "https://elsewhere.example.org/t.jpg"
    assert changed_pages(old, moved, by_path) is None
    # one variant's files gone: its language may leave the site, its design a campaign
    gone = copy.deepcopy(old)
    design = gone["variants"][-1]["design"]
    gone["artefacts"] = [a for a in gone["artefacts"] if a.get("design") != design]
    assert changed_pages(old, gone, by_path) is None
