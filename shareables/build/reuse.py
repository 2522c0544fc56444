"""What a build keeps from the last one: a job's files when its key matches and they are
intact, a failed job's previous files, and the entries of designs it did not plan.

A mixin of the pipeline's `_Build` (steps.py declares the state it works on). Kept files are
checked by size and SHA-256 through the build's `FileHasher` (a stat per file when its size
and mtime are as recorded); files known only from the published manifest (a fresh checkout)
count when they have an object key and no local file.

Most of a rebuild is files that nobody touched. `OUTPUT_STATE` keeps, per job, one digest
of its entries' files as the last build left them (path, SHA-256 and size from the entry,
size and mtime from the file), so such a job is checked with a stat per file and one hash,
without a per-file cache entry; the file-hash cache then holds only the inputs. A digest that
is missing, damaged or no longer matches sends the job down the per-file path (a file changed
or deleted is read and hashed again, as before).
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from ..project.model import Variant
from .manifest import IMAGE_ROLES, refreshed
from .plan import Job, Plan
from .steps import BuildSteps, Entry, Ident
from .worker import JobFailure

OUTPUT_STATE = "outputs.json"
"""{"format": 1, "jobs": {"<dir> <platform>": digest of its files}} (see the module docstring)."""
_FORMAT = 1
_ABSENT = object()


def file_line(path: str, sha: Any, size: Any, disk_size: int, mtime_ns: int) -> str:
    """One file's part of a job's digest: the entry's path, SHA-256 and size; the file's."""
    return f"{path}\t{sha}\t{size}\t{disk_size}\t{mtime_ns}"


def digest(lines: list[str]) -> str:
    """A job's digest from its files' lines, in any order (the manifest lists them by path, a
    render in the order it wrote them)."""
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()[:32]


def load_digests(data: bytes | None) -> dict[str, str]:
    """OUTPUT_STATE's digests; {} for a missing, damaged or other-format file."""
    try:
        raw: Any = json.loads(data or b"{}")
    except ValueError:
        return {}
    jobs = raw.get("jobs") if isinstance(raw, dict) and raw.get("format") == _FORMAT else None
    if not isinstance(jobs, dict):
        return {}
    return {k: v for k, v in jobs.items() if isinstance(v, str)}


def dump_digests(digests: dict[str, str]) -> bytes:
    return json.dumps({"format": _FORMAT, "jobs": digests}, sort_keys=True,
                      separators=(",", ":")).encode()


class ReuseSteps(BuildSteps):
    """Reuse methods of the build (steps.py declares the state they work on)."""

    digests: dict[str, str]  # OUTPUT_STATE as read: "<dir> <platform>" -> digest
    intact: dict[str, str]  # the jobs whose digest matched in this build

    def _intact(self, key: Ident, group: list[Entry]) -> bool:
        """Whether every file of `group` is as the last build left it (its stored digest)."""
        name = f"{key[0]} {key[1]}"
        want = self.digests.get(name)
        if want is None:
            return False
        base = self.out_str + "/"
        try:
            lines = []
            for e in group:
                st = os.stat(base + e["path"])
                lines.append(file_line(e["path"], e["sha256"], e["bytes"], st.st_size,
                                       st.st_mtime_ns))
        except (OSError, KeyError, TypeError):
            return False
        if digest(lines) != want:
            return False
        self.intact[name] = want
        return True

    def _adopt_intact(self, key: Ident, cache_key: str, variant: Variant, source_hash: str
                      ) -> bool:
        """`_adopt` for the common case, in one pass over the job's entries: the manifest on
        disk lists it with this key and its files match its digest (`_intact`, inlined).
        False: decide the long way."""
        group = self.old.get(key)
        name = f"{key[0]} {key[1]}"
        want = self.digests.get(name)
        if not group or want is None:
            return False
        stat, base = os.stat, self.out_str + "/"
        caption, alt = variant.caption, variant.alt
        lines = []
        current = True  # refreshed() would give each entry back as it is
        shown = False  # not thumbnails only
        try:
            for e in group:
                role = e["role"]
                if e["cache_key"] != cache_key:
                    return False
                path = e["path"]
                st = stat(base + path)
                lines.append(f"{path}\t{e['sha256']}\t{e['bytes']}\t{st.st_size}\t"
                             f"{st.st_mtime_ns}")  # (file_line, inlined: 32,000 calls)
                shown = shown or role != "thumbnail"
                if current and ("status" in e or role != "site-og" and (
                        e.get("source_hash", _ABSENT) != source_hash
                        or e.get("caption", _ABSENT) != caption
                        or role != "slide" and e.get("alt", _ABSENT) != alt)):
                    current = False
        except (OSError, KeyError, TypeError):
            return False
        if not shown or digest(lines) != want:
            return False
        self.intact[name] = want
        self._set(key, list(group) if current
                  else [refreshed(e, variant, source_hash) for e in group])
        status = self.status
        images = 0
        for e in group:
            status[e["path"]] = "cached"
            images += e["role"] in IMAGE_ROLES
        self.cached += images
        return True

    def _output_digests(self) -> tuple[dict[str, str], set[str]]:
        """The digests to store for the new manifest's jobs, and the files they cover (the
        file-hash cache need not keep those). A job checked by its digest keeps it; any other
        gets one from the hashes this build checked or wrote, when it has them all."""
        out: dict[str, str] = {}
        covered: set[str] = set()
        base = self.out_str + "/"
        for (d, p), group in self.entries.items():
            name = f"{d} {p}"
            known = self.intact.get(name)
            if known is not None:
                out[name] = known
                continue
            lines, paths = [], []
            for e in group:
                path = e.get("path")
                if not isinstance(path, str):
                    break
                seen = self.hasher.known(base + path)
                if seen is None or seen[2] != e.get("sha256") or seen[0] != e.get("bytes"):
                    break
                lines.append(file_line(path, e["sha256"], e["bytes"], seen[0], seen[1]))
                paths.append(base + path)
            else:
                if lines:
                    out[name] = digest(lines)
                    covered.update(paths)
        return out, covered

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
        if self._adopt_intact(key, cache_key, variant, source_hash):
            return None
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
        old = self.old.get(key, [])
        group = old if old and self._intact(key, old) else [e for e in old if self._valid(e)]
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
