"""The build's bundle step: one zip per variant from the members the new manifest lists.

A mixin of the pipeline's `_Build` (steps.py declares the state it works on);
the zip format itself is in bundle.py.

A zip is kept while its key (README and members' content, bundle.bundle_key) is unchanged.
Working the key out names every member (site/names.py) and writes the README: at 1,000
designs that was 0.15 s of every rebuild. `BUNDLE_STATE` remembers each variant's key under a
digest of everything it is made from (the variant, the brand, the members' entries and the
code that makes keys), so an unchanged variant's key is looked up, not made again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .. import fingerprint
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

BUNDLE_STATE = "bundles.json"
"""Bundle keys by variant folder: {dir: [digest of the inputs, bundle key]}."""
KEY_CODE = [fingerprint.PACKAGE / f for f in (
    "build/bundle.py", "build/bundling.py", "site/names.py", "site/shapes.py", "platforms.py")]
"""The code a bundle's key is worked out by (a change there makes every key again)."""
MEMBER_FIELDS = ("path", "sha256", "platform", "role", "slide", "design", "lang")
"""What bundle.bundle_files, readme and group_sets read of a member's entry."""


class BundleSteps(BuildSteps):
    """Bundle methods of the build (steps.py declares the state they work on)."""

    def _bundles(self, plan: Plan) -> None:
        """One zip per variant from the members the new manifest lists (cached by content)."""
        self._known_keys = _load_keys(self._read_state(BUNDLE_STATE))
        self._keys: dict[str, list[str]] = {}
        self._key_code = fingerprint.add_code(hashlib.sha256(b"bundle-inputs\n"), KEY_CODE,
                                              ()).digest()
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
        # Variants outside this build (--platform, paths) keep their bundles: and their keys.
        self._keys.update({d: k for d, k in self._known_keys.items()
                           if d not in self._keys and (d, "bundle") in self.entries})
        self._write_state(BUNDLE_STATE, json.dumps(self._keys, sort_keys=True).encode())

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

    def _inputs(self, vp: VariantPlan, members: list[Entry]) -> str:
        """Digest of all a bundle's key is made from: what the README shows of the variant,
        the brand, the members' fields that name a file, its apps and content, and the code
        making keys (which also decides these fields: a change there makes every key again)."""
        v = vp.variant
        h = hashlib.sha256(self._key_code)
        h.update(repr((self.settings.brand.name, v.design_id, v.lang, v.kind, v.title, v.alt,
                       v.caption, v.background.credit)).encode())
        h.update(repr([tuple(map(m.get, MEMBER_FIELDS)) for m in members]).encode())
        return h.hexdigest()

    def _bundle_key(self, vp: VariantPlan, members: list[Entry]) -> str:
        """The bundle's key, looked up when its inputs are those of the last build."""
        inputs = self._inputs(vp, members)
        known = self._known_keys.get(vp.dir)
        key = known[1] if known is not None and known[0] == inputs \
            else self._bundle_text(vp, members)[1]
        self._keys[vp.dir] = [inputs, key]
        return key

    def _reuse_bundle(self, vp: VariantPlan, members: list[Entry]) -> bool:
        """Keep the previous zips if their key (README + members' content) is unchanged."""
        if self.force:
            return False
        key = self._bundle_key(vp, members)
        return self._adopt((vp.dir, "bundle"), key, vp.variant, vp.design.source_hash) is None

    def _bundle(self, vp: VariantPlan, members: list[Entry]) -> None:
        """The variant's zip, then (carousels) one zip per canvas shape; the first is the
        variant's `bundle`."""
        bident: Ident = (vp.dir, "bundle")
        text, key, files = self._bundle_text(vp, members)
        self._keys[vp.dir] = [self._inputs(vp, members), key]
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


def _load_keys(data: bytes | None) -> dict[str, list[str]]:
    """bundles.json as {dir: [inputs, key]}, dropping anything else (an older or damaged
    file: those keys are made again)."""
    try:
        raw: Any = json.loads(data or b"{}")
    except ValueError:
        return {}
    if not isinstance(raw, dict):
        return {}
    return {d: v for d, v in raw.items() if isinstance(v, list) and len(v) == 2
            and all(isinstance(x, str) for x in v)}
