"""What a build keeps from the last one: a job's files when its key matches and they are
intact, a failed job's previous files, and the entries of designs it did not plan.

A mixin of the pipeline's `_Build` (steps.py declares the state it works on). Kept files are
checked by size and SHA-256 through the build's `FileHasher` (a stat per file when its size
and mtime are as recorded); files known only from the published manifest (a fresh checkout)
count when they have an object key and no local file.
"""

from __future__ import annotations

import os

from ..project.model import Variant
from .manifest import IMAGE_ROLES, refreshed
from .plan import Job, Plan
from .steps import BuildSteps, Entry, Ident
from .worker import JobFailure


class ReuseSteps(BuildSteps):
    """Reuse methods of the build (steps.py declares the state they work on)."""

    # -- deciding what to render -------------------------------------------------------

    def _valid(self, entry: Entry) -> str | None:
        """'local' if the entry's file is intact, 'remote' if absent but published (`key`)."""
        path = self.out_str + "/" + entry["path"]  # as self.out / path, without a Path
        if self.hasher.matches(path, entry.get("bytes", -1), entry.get("sha256", "")):
            return "local"
        if entry.get("key") and not os.path.lexists(path):
            return "remote"
        return None

    def _reuse(self, job: Job) -> bool:
        """Keep the job's previous files if their key matches and they are intact."""
        if self.force:
            self._expect_rewrites(job)
            self.reasons[job.ident] = "forced"
            return False
        known = self.known_failures.get(job.key)
        if isinstance(known, dict) and "timed_out" in known:  # (older caches kept time-outs)
            try:
                self._fail(job, JobFailure(**known))
                return True
            except TypeError:  # a cache from another version of this file: render again
                pass
        reason = self._adopt(job.ident, job.key, job.variant, job.source_hash)
        if reason is None:
            return True
        self._expect_rewrites(job)
        self.reasons[job.ident] = reason
        return False

    def _adopt(self, key: Ident, cache_key: str, variant: Variant, source_hash: str
               ) -> str | None:
        """Take the previous entries of `key` (a job or a bundle) into the new manifest.

        They qualify when all carry `cache_key` and their files are intact (or, from the
        published manifest, have an object key and no local file). Returns None when taken,
        else why not: "new", "inputs changed" or "file missing or changed".
        """
        reason = "new"
        for source in (self.old, self.remote):
            group = source.get(key, [])
            if not group:
                continue
            if not (any(e.get("role") != "thumbnail" for e in group)
                    and all(e.get("cache_key") == cache_key for e in group)
                    and (source is self.old or all(e.get("key") for e in group))):
                reason = "inputs changed"
                continue
            where = [self._valid(e) for e in group]
            if all(where):
                self._set(key, [refreshed(e, variant, source_hash) for e in group])
                for e, w in zip(group, where, strict=True):
                    self.status[e["path"]] = "cached" if w == "local" else "remote"
                    self.cached += e.get("role") in IMAGE_ROLES
                return None
            reason = "file missing or changed"
        return reason

    def _expect_rewrites(self, job: Job) -> None:
        # The job's files and its variant's zip will get new bytes: tell the writer up front,
        # so it unlists them from the manifest on disk in one rewrite, not one per variant.
        for key in (job.ident, (job.dir, "bundle")):
            self.writer.expect_rewrites(e["path"] for e in self.old.get(key, []))

    def _keep_old(self, key: Ident) -> None:
        """Carry a job's previous entries into the new manifest if their files are intact."""
        group = [e for e in self.old.get(key, []) if self._valid(e)]
        if not group:  # (added by publish) fresh checkout: keep the published version live
            group = [e for e in self.remote.get(key, []) if e.get("key") and self._valid(e)]
        if group:
            self._set(key, [dict(e) for e in group])
            for e in group:
                self.status[e["path"]] = "kept"

    # -- what else the manifest keeps --------------------------------------------------

    def _carry_unplanned(self, plan: Plan) -> None:
        """Entries of designs/platforms not in this build.

        A limited build (paths, --platform, --shard) keeps them; so does a failed build,
        because deletions happen only after success. A full successful build drops them
        (the design or platform is gone) and the sweep deletes their files.
        """
        if not (self.limited or self.errors):
            return
        planned = {j.ident for j in plan.jobs} | {(vp.dir, "bundle") for vp in plan.variants}
        for key in [*self.old, *self.remote]:  # remote: added by publish (fresh checkout)
            if key not in planned and key not in self.entries:
                self._keep_old(key)
