"""The build's bundle step: one zip per variant from the members the new manifest lists.

A mixin of the pipeline's `_Build` (steps.py declares the state it works on);
the zip format itself is in bundle.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ShareablesError
from ..platforms import CONTENT_TYPES
from .bundle import (
    BundleFile,
    bundle_files,
    bundle_key,
    bundle_name,
    group_sets,
    make_zip,
    readme,
)
from .manifest import artefact_entry
from .plan import Plan, VariantPlan
from .steps import BuildSteps, Entry, Ident
from .writer import sha256_bytes

if TYPE_CHECKING:
    pass


class BundleSteps(BuildSteps):
    """Bundle methods of the build (steps.py declares the state they work on)."""

    def _bundles(self, plan: Plan) -> None:
        """One zip per variant from the members the new manifest lists (cached by content)."""
        pending: list[VariantPlan] = []
        need: set[Ident] = set()
        for vp in plan.variants:
            bident: Ident = (vp.dir, "bundle")
            if any((vp.dir, j.platform) in self.failed for j in vp.jobs):
                self._keep_old(bident)  # don't package a half-updated design
                continue
            members = self._members(vp.dir)
            if not members or self._reuse_bundle(vp, members):
                continue
            pending.append(vp)
            # Members known only from the published manifest have no local bytes: render them.
            need |= {(vp.dir, m["platform"]) for m in members
                     if self.status.get(m["path"]) == "remote"}
        if need:
            self._render([j for vp in pending for j in vp.jobs if j.ident in need])
        for vp in pending:
            members = self._members(vp.dir)
            if members and not any((vp.dir, j.platform) in self.failed for j in vp.jobs):
                self._bundle(vp, members)

    def _members(self, dir_: str) -> list[Entry]:
        return sorted((e for key in self.by_dir.get(dir_, ()) if key[1] != "bundle"
                       for e in self.entries[key]
                       if e["role"] in ("image", "slide", "pdf", "clip", "captions")),
                      key=lambda e: e["path"])

    def _bundle_text(self, vp: VariantPlan, members: list[Entry]
                     ) -> tuple[str, str, list[BundleFile]]:
        """README, cache key (of the zip and, for carousels, its per-shape zips), files."""
        files = bundle_files(vp.variant, members)
        text = readme(vp.variant, self.settings.brand.name, files)
        key = bundle_key(text, [(f.name, f.sha256) for f in files])
        for shape, group in self._groups(vp, members):
            key = bundle_key(f"{key}\n{shape}", [(m["path"], m["sha256"]) for m in group])
        return text, key, files

    def _groups(self, vp: VariantPlan, members: list[Entry]) -> list[tuple[str, list[Entry]]]:
        return group_sets(members) if vp.variant.kind == "carousel" else []

    def _reuse_bundle(self, vp: VariantPlan, members: list[Entry]) -> bool:
        """Keep the previous zips if their key (README + members' content) is unchanged."""
        if self.force:
            return False
        _, key, _ = self._bundle_text(vp, members)
        return self._adopt((vp.dir, "bundle"), key, vp.variant, vp.design.source_hash) is None

    def _bundle(self, vp: VariantPlan, members: list[Entry]) -> None:
        """The variant's zip, then (carousels) one zip per canvas shape; the first is the
        variant's `bundle`."""
        bident: Ident = (vp.dir, "bundle")
        text, key, files = self._bundle_text(vp, members)
        data = {f.sha256: (self.out / f.path).read_bytes() for f in files}
        for f in files:
            if sha256_bytes(data[f.sha256]) != f.sha256:  # only bytes the manifest vouches for
                raise ShareablesError(f"{f.path} changed during the build; run it again")
        zips: list[tuple[str | None, str, list[BundleFile]]] = [(None, text, files)]
        for shape, group in self._groups(vp, members):
            gfiles = bundle_files(vp.variant, group, among=members)
            zips.append((shape, readme(vp.variant, self.settings.brand.name, gfiles), gfiles))
        self.writer.expect_rewrites(e["path"] for e in self.old.get(bident, []))
        entries = []
        for group_key, readme_text, zfiles in zips:
            path = f"{vp.dir}/{bundle_name(vp.variant, group_key)}.zip"
            blob = make_zip(readme_text, [(f.name, data[f.sha256]) for f in zfiles])
            written = self.writer.write(path, blob, owner=vp.design.rel)
            self.hasher.record(self.out / path, written.sha256)
            entry = artefact_entry(
                vp.variant, platform=None, role="bundle", slide=None, of=None, path=path,
                width=None, height=None, size=written.bytes, sha256=written.sha256,
                content_type=CONTENT_TYPES["zip"], source_hash=vp.design.source_hash,
                cache_key=key)
            if group_key:
                entry["group"] = group_key
            entries.append(entry)
            self.status[path] = "rendered"
        self._set(bident, entries)
