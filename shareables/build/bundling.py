"""The build's bundle step: one zip per variant from the members the new manifest lists.

A mixin of the pipeline's `_Build` (it works on the build's entries, statuses and writer);
the zip format itself is in bundle.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ShareablesError
from ..platforms import CONTENT_TYPES
from .bundle import bundle_key, bundle_name, entry_name, make_zip, readme
from .manifest import artefact_entry
from .plan import Job, Plan, VariantPlan
from .writer import sha256_bytes

if TYPE_CHECKING:
    from ..project.model import Settings, Variant
    from .plan import FileHasher
    from .writer import OutputWriter

Entry = dict[str, Any]
Ident = tuple[str, str]


class BundleSteps:
    """Bundle methods of the build; the attributes below are the build's state."""

    settings: Settings
    out: Path
    force: bool
    writer: OutputWriter
    hasher: FileHasher
    entries: dict[Ident, list[Entry]]
    by_dir: dict[str, set[Ident]]
    status: dict[str, str]
    failed: dict[Ident, str]
    old: dict[Ident, list[Entry]]

    def _render(self, jobs: list[Job]) -> None: ...
    def _keep_old(self, key: Ident) -> None: ...
    def _set(self, key: Ident, entries: list[Entry]) -> None: ...
    def _adopt(self, key: Ident, cache_key: str, variant: Variant, source_hash: str
               ) -> str | None: ...

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
                     ) -> tuple[str, str, list[tuple[str, str]]]:
        names = [(entry_name(vp.variant, m["path"]), m["sha256"]) for m in members]
        text = readme(vp.variant, self.settings.brand.name, names)
        return text, bundle_key(text, names), names

    def _reuse_bundle(self, vp: VariantPlan, members: list[Entry]) -> bool:
        """Keep the previous zip if its key (README + members' content) is unchanged."""
        if self.force:
            return False
        _, key, _ = self._bundle_text(vp, members)
        return self._adopt((vp.dir, "bundle"), key, vp.variant, vp.design.source_hash) is None

    def _bundle(self, vp: VariantPlan, members: list[Entry]) -> None:
        bident: Ident = (vp.dir, "bundle")
        text, key, names = self._bundle_text(vp, members)
        path = f"{vp.dir}/{bundle_name(vp.variant)}.zip"
        files = []
        for (name, sha), m in zip(names, members, strict=True):
            data = (self.out / m["path"]).read_bytes()
            if sha256_bytes(data) != sha:  # never package bytes the manifest doesn't vouch for
                raise ShareablesError(f"{m['path']} changed during the build; run it again")
            files.append((name, data))
        data = make_zip(text, files)
        self.writer.expect_rewrites(e["path"] for e in self.old.get(bident, []))
        written = self.writer.write(path, data, owner=vp.design.rel)
        self.hasher.record(self.out / path, written.sha256)
        self._set(bident, [artefact_entry(
            vp.variant, platform=None, role="bundle", slide=None, of=None, path=path,
            width=None, height=None, size=written.bytes, sha256=written.sha256,
            content_type=CONTENT_TYPES["zip"], source_hash=vp.design.source_hash,
            cache_key=key)])
        self.status[path] = "rendered"
