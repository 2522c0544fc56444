"""Which designs and pages two manifests differ on, so a rebuild renders only those
(build/pages.py, splice.py).

Everything a page shows comes from the manifest's site-wide fields and from the entries of
the designs it shows; a design whose entries are unchanged leaves every page not showing a
changed design as it was. tests/site/test_changed_pages.py renders both ways and compares.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from typing import Any

from . import pages as plan
from .model import PageModel
from .page import UrlFor, safe_url

PER_DESIGN = ("variants", "artefacts")
UNSHOWN = ("build_id", "built_at", "renderer", "incomplete")
"""Manifest fields no page shows (a template that starts showing one must leave this list)."""


def changed_pages(old: dict[str, Any], new: dict[str, Any], url_for: UrlFor) -> set[str] | None:
    """The pages whose text can differ between manifests `old` and `new` (rendered with the
    same `url_for`); None when every page can (site-wide settings, the campaigns' pages or
    languages, the origins the CSP allows changed).

    Everything a page shows comes from the site-wide fields and from the entries of the
    designs it shows (`pages.page_contents`), so a design whose variant and artefact entries
    are unchanged leaves every page that is not showing a changed design as it was.
    """
    def site_wide(m: dict[str, Any]) -> tuple[Any, ...]:
        return ({k: v for k, v in m.items() if k not in PER_DESIGN + UNSHOWN},
                [a for a in m.get("artefacts") or [] if a.get("design") is None])

    if site_wide(old) != site_wide(new):
        return None
    shapes = []
    for m in (old, new):
        model = PageModel(m, lambda a: safe_url(url_for(a)), url_for)
        designs = model.designs(full=())
        campaigns = plan.campaigns_of(designs)
        langs = plan.page_languages(designs)
        layout = [(c["id"], [d["id"] for d in c["designs"]]) for c in campaigns]
        shapes.append(((layout, langs, model.img_origins, model.media_origins,
                        model.has_clips), model, campaigns, langs))
    if shapes[0][0] != shapes[1][0]:
        return None
    (_, old_model, _, _), (_, new_model, campaigns, langs) = shapes
    before, after = _by_design(old_model.manifest), _by_design(new_model.manifest)
    changed = {d["id"] for c in campaigns for d in c["designs"]
               if before.get(d["id"]) != after.get(d["id"])}
    return plan.pages_showing(campaigns, langs, changed)


def changed_designs(old: dict[str, Any], new: dict[str, Any]) -> set[str] | None:
    """The designs whose variant or artefact entries (in manifest order) differ between `old`
    and `new`; None when a page-wide field or a site-wide artefact (no design) differs.

    A rebuild's manifest holds most entries of the one before it (the same objects, or
    equal ones): lists of the same length are compared position by position, and where
    entries differ only there, the designs of those entries are the ones whose own lists
    differ (any other design has the same entries at the same places in both).
    """
    if {k: v for k, v in old.items() if k not in PER_DESIGN + UNSHOWN} != \
            {k: v for k, v in new.items() if k not in PER_DESIGN + UNSHOWN}:
        return None
    out: set[Any] = set()
    for key in PER_DESIGN:
        a, b = old.get(key) or [], new.get(key) or []
        if not (isinstance(a, list) and isinstance(b, list)):
            return None
        if len(a) == len(b):
            out.update(e.get("design") for i in _not_same(a, b) if a[i] != b[i]
                       for e in (a[i], b[i]))
        else:
            before, after = _grouped(a), _grouped(b)
            out.update(d for d in before.keys() | after.keys() if before.get(d) != after.get(d))
    if not all(isinstance(d, str) for d in out):
        return None  # an entry of no design (the site's own) or not a design's id
    return out


def _not_same(a: list[Any], b: list[Any]) -> Iterator[int]:
    """The places where two lists of one length hold different objects (found at C speed:
    most entries of a rebuild's manifest are the previous manifest's own objects)."""
    same = list(map(operator.is_, a, b))
    at = 0
    while True:
        try:
            at = same.index(False, at)
        except ValueError:
            return
        yield at
        at += 1


def _grouped(entries: list[Any]) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = {}
    for e in entries:
        out.setdefault(e.get("design"), []).append(e)
    return out


def _by_design(manifest: dict[str, Any]) -> dict[str, tuple[list[Any], list[Any]]]:
    """Each design's variant and artefact entries, in manifest order."""
    out: dict[str, tuple[list[Any], list[Any]]] = {}
    for i, key in enumerate(PER_DESIGN):
        for entry in manifest.get(key) or []:
            out.setdefault(str(entry.get("design")), ([], []))[i].append(entry)
    return out
