"""`shareables build`: plan, render what changed in a process pool, write through one writer.

1. Plan (plan.py): every job (variant x platform) with its content-based cache key.
2. Decide: a job is cached when the manifest on disk lists its files with the same key and
   each file is intact (size + SHA-256, hashed at most once thanks to the stat cache), or
   when `previous_manifest` (the published one) lists them with the same key and an object
   `key` — then they count as present without a local file.
3. Render the rest in worker processes (worker.py); the parent's writer writes every file.
4. Bundles, then index.html, then manifest.json last (writer.py keeps output/ consistent
   even if the build is killed); stale files are deleted only after a successful build.

A design that fails (validation or rendering) is reported and skipped; its previous good
outputs stay and stay in the manifest; every other design is still built (exit 1).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ShareablesError
from ..project.model import Design, Settings
from . import collector, early
from .bundling import BundleSteps
from .keys import FileHasher
from .manifest import (
    assemble,
    by_ident,
    ident,
    variant_entry,
)
from .pages import manifest_stamp, render_page, stamped
from .pages import warm as warm_pages
from .plan import Job, Plan, plan_build
from .remote import DownloadStep, Published
from .rendering import RenderStep
from .report import BuildResult, Progress
from .reuse import OUTPUT_STATE, ReuseSteps, dump_digests, load_digests
from .worker import JobFailure, PillowRenderer, Renderer
from .writer import STATE_DIR, OutputWriter

if TYPE_CHECKING:
    from .pool import EarlyPool

# Build state in output/.shareables/ (never published, never swept):
HASH_CACHE = "hashes.json"
"""File content hashes by (size, mtime_ns): a no-change rebuild reads no file twice."""
FAILURE_CACHE = "failures.json"
"""Render failures by cache key: the same inputs fail the same way, so a rebuild reports them
again without re-rendering (`--force` retries). Internal errors are never cached."""
DURATIONS = "durations.json"
"""Render seconds by "<dir> <platform>": shards are balanced by them (publish shares them as
durations.json next to the manifest, so a fresh checkout balances like the last run did)."""
DESIGN_CACHE = "designs.json"
"""Designs as loaded, by their file's content hash (project/designcache.py)."""
INDEX_STATE = "index.json"
"""What index.html was rendered from, so an unchanged page is not rendered again."""
Entry = dict[str, Any]
Ident = tuple[str, str]


def build_project(project: Path | str | Settings, paths: Sequence[Path | str] | None = None,
                  **options: Any) -> BuildResult:
    """Load settings (unless given) and designs from a project, then `build()`.

    Raises SettingsError/ErrorList for a broken shareables.yaml (exit 2); design problems
    are reported in the result instead. With `paths` only those designs are (re)built and
    everything else in the manifest is kept.
    """
    with collector.paused():
        return _build_project(project, paths, options)


def _build_project(project: Path | str | Settings, paths: Sequence[Path | str] | None,
                   options: dict[str, Any]) -> BuildResult:
    from ..project.design import DESIGNS_DIR, load_designs
    from ..project.designcache import DesignCache
    from ..project.settings import load_settings

    settings = project if isinstance(project, Settings) else load_settings(project)
    out = Path(options.get("output_dir") or settings.project_dir / "output")
    if early.wanted(out, jobs=options.get("jobs") or _cores(), executor=options.get("executor"),
                    shard=options.get("shard"), published=options.get("published")) \
            and early.edited_since(settings.project_dir / DESIGNS_DIR,
                                   out / STATE_DIR / DESIGN_CACHE):
        from .pool import start_forkserver

        start_forkserver()
    cache = DesignCache(OutputWriter(out).read_state(DESIGN_CACHE), settings)
    designs, errors = load_designs(settings.project_dir, settings, paths, cache=cache)
    state = {DESIGN_CACHE: cache.export()} if cache.changed else {}
    # Designs whose files were parsed again (edited or new): likely dirty; what those files
    # gave before tells which of their renders the edit left alone. With no cache that
    # applies (a shareables.yaml edit, an upgrade) every file is parsed again and nothing is
    # known: most renders are usually still cached, so no early pool.
    likely = [d for d in designs if not cache.hit(d.source)] if cache.known else []
    before = [d for f in dict.fromkeys(d.source for d in likely) for d in cache.previous(f)]
    return build(settings, designs, errors, partial=bool(paths), state=state, likely=likely,
                 likely_before=before, **options)


def build(
    settings: Settings,
    designs: Sequence[Design],
    design_errors: Iterable[ShareablesError] = (),
    *,
    output_dir: Path | str | None = None,
    force: bool = False,
    jobs: int | None = None,
    platforms: Iterable[str] | None = None,
    shard: tuple[int, int] | None = None,
    partial: bool = False,
    previous_manifest: dict[str, Any] | None = None,
    renderer: Renderer | None = None,
    executor: str | None = None,
    durations: dict[str, float] | None = None,
    published: Published | None = None,
    progress: Callable[[Progress], None] | None = None,
    on_failure: Callable[[Job, JobFailure], None] | None = None,
    state: dict[str, bytes] | None = None,
    likely: Sequence[Design] = (),
    likely_before: Sequence[Design] = (),
) -> BuildResult:
    """Build `designs` into `output_dir` (default: <project>/output); see the module docstring.

    `platforms`/`shard`/`partial` limit the build; whatever they leave out is kept as it is
    in the manifest (nothing outside the selection is deleted). `previous_manifest` is a
    published manifest whose entries (with an object `key`) count as already built.
    `executor`: None for the local process pool, or dask://HOST:PORT (executor.py).
    `published` (remote.fetch_published, `build --from`): download the site's files for jobs
    whose cache key it lists, verified by SHA-256, instead of rendering them.
    `on_failure` hears every job that failed, rendered now or known from the failure cache
    (validate reports them its own way).
    `state`: more build-state files (name -> bytes) to store in output/.shareables/.
    `likely`: designs that probably need rendering (their files changed): in a large project
    the render pool starts on them before the manifest is read (pool.EarlyPool).
    `likely_before`: what their files gave at the last build (renders with the same keys are
    not likely dirty: a caption or comment edit starts no early render).
    """
    out = Path(output_dir) if output_dir else settings.project_dir / "output"
    if published is not None:
        previous_manifest = published.manifest
        durations = durations or published.durations
    run = _Build(settings, designs, list(design_errors),
                 out=out, force=force, jobs=jobs or _cores(),
                 platforms=tuple(platforms) if platforms else None, shard=shard,
                 limited=bool(partial or platforms or shard),
                 previous=previous_manifest, renderer=renderer or PillowRenderer(),
                 progress=progress)
    run.executor, run.timed = executor, _durations(durations)
    run.download_from = published.base if published is not None else None
    run.on_failure = on_failure
    run.state = dict(state or {})
    run.likely = list(likely)
    run.likely_before = list(likely_before)
    try:
        with collector.paused():
            return run.run()
    except OSError as e:  # a full or read-only disk, output/ being a file…: one message
        from .writer import WriterError

        raise WriterError(f"cannot write to {out}: {e.strerror or e}",
                          hint="free disk space or choose a writable --output folder") from None


class _Build(ReuseSteps, BundleSteps, DownloadStep, RenderStep):
    """The state of one build; `run()` is the whole algorithm, top to bottom."""

    def __init__(self, settings: Settings, designs: Sequence[Design],
                 errors: list[ShareablesError], *, out: Path, force: bool, jobs: int,
                 platforms: tuple[str, ...] | None, shard: tuple[int, int] | None,
                 limited: bool, previous: dict[str, Any] | None, renderer: Renderer,
                 progress: Callable[[Progress], None] | None) -> None:
        self.settings, self.designs, self.errors = settings, designs, errors
        self.out, self.force, self.jobs = out, force, max(1, jobs)
        self.out_str = os.fspath(out)
        self.platforms, self.shard, self.limited = platforms, shard, limited
        self.previous, self.renderer, self.progress = previous, renderer, progress
        self.entries = {}
        self.by_dir = {}
        self.status = {}
        self.failed = {}
        self.reasons: dict[Ident, str] = {}  # why a job was rendered (for the JSON report)
        self.job_errors = {}
        self.notes = []
        self.index_state: dict[str, Any] = {}
        self.rendered = self.cached = self.jobs_rendered = 0
        self.executor = None
        self.timed: dict[str, float] = {}
        self.download_from: str | None = None
        self.durations = {}
        self.on_failure = None
        self.state: dict[str, bytes] = {}  # more build-state files to store
        self.state_read: dict[str, bytes | None] = {}  # state files as read at the start
        self.likely: list[Design] = []
        self.likely_before: list[Design] = []
        self.early = None

    def _render(self, jobs: list[Job]) -> None:
        with collector.resumed():  # renders here (a small build) make and drop cycles
            super()._render(jobs)

    def run(self) -> BuildResult:
        t0 = time.perf_counter()
        self.out.mkdir(parents=True, exist_ok=True)
        with OutputWriter(self.out, load=False) as writer:
            self.writer = writer
            hashes = _load_json(self._read_state(HASH_CACHE))
            self.hasher = FileHasher(hashes)
            self.digests, self.intact = load_digests(self._read_state(OUTPUT_STATE)), {}
            self.known_failures = {} if self.force else _load_json(
                self._read_state(FAILURE_CACHE))
            self.new_failures = {}
            fingerprint = self.renderer.fingerprint()
            timed = self.timed or _durations(_load_json(self._read_state(DURATIONS)))
            self.early = self._start_early(fingerprint, timed)
            try:
                return self._run(t0, hashes, fingerprint, timed)
            except BaseException:
                if self.early is not None:
                    self.early.close(stop=True)
                raise

    def _start_early(self, fingerprint: str, timed: dict[str, float]) -> EarlyPool | None:
        """For a large project, start the render pool now, with the likely designs' first
        canvases (pool.EarlyPool), while the manifest is read and the plan checked."""
        if not (self.likely and early.wanted(self.out, jobs=self.jobs, executor=self.executor,
                                             shard=self.shard, published=self.download_from)):
            return None
        groups = early.likely_canvases(self.settings, self.likely, self.likely_before,
                                       self.hasher, fingerprint, self.known_failures,
                                       platforms=self.platforms, durations=timed)
        if not groups:  # nothing likely dirty: no pool (the build starts one if it needs one)
            return None
        from .pool import EarlyPool

        return EarlyPool(self.renderer, self.jobs, groups)

    def _run(self, t0: float, hashes: dict[str, Any], fingerprint: str,
             timed: dict[str, float]) -> BuildResult:
        writer = self.writer
        writer.load()
        # (after reading it: see build/pages.py). The stat names the file, not its bytes: an
        # edit in place that keeps size and mtime keeps it too, so it is trusted only for
        # bytes the snapshot vouches for (a build wrote them), else the pages are rendered.
        self.loaded = manifest_stamp(self.out) if writer.previous_vouched else None
        self.old = by_ident(writer.previous)
        self.remote = by_ident(self.previous) if self.previous and not self.force else {}
        plan = plan_build(self.settings, self.designs, self.hasher, fingerprint,
                          platforms=self.platforms, shard=self.shard, durations=timed)
        self.errors.extend(plan.errors)

        if self.download_from:
            self._download(plan, self.download_from)
        dirty = [job for job in plan.jobs if not self._reuse(job)]
        if dirty and self.early is not None:  # its workers are rendering: pages need ~40 ms
            warm_pages()  # of imports, then done while waiting for them, not after
        self._render(dirty)
        if self.early is not None:  # (nothing dirty: its early renders are not needed)
            self.early.close()
            self.early = None
        self._report_job_errors(plan)
        self._carry_unplanned(plan)  # before bundles: a --platform build bundles them too
        self._bundles(plan)
        self._report_job_errors(plan)  # bundles may have rendered remote-only members
        artefacts = [e for group in self.entries.values() for e in group]
        manifest = assemble(self.settings, fingerprint=fingerprint,
                            variants=self._variant_entries(plan), artefacts=artefacts)
        manifest["built_at"] = _built_at(manifest, writer.previous)
        # unchanged entries reuse their bytes from the manifest on disk
        encoded = writer.encode(manifest)
        # The old bytes let go: held with the new ones through the page step, they made the
        # build's peak memory.
        unchanged = encoded is writer.previous_bytes
        writer.release_bytes(encoded)
        html, assets = self._page(manifest, unchanged)
        removed = writer.commit(manifest, index_html=html, extra=assets,
                                sweep=not self.errors, encoded=encoded,
                                keep=self.index_state.get("pages", ()))
        self.index_state = stamped(self.index_state, self.out)  # the manifest its pages show
        self.notes.extend(f"kept output/{p}: shareables did not make it, so the clean-up "
                          f"leaves it (move it out of output/)" for p in writer.kept_foreign)
        # The new manifest's bytes (30 MB at 1,000 designs) let go before the build state is
        # encoded: the build's peak memory is then the commit's, not the commit's + this.
        del encoded, html, assets
        digests, covered = self._output_digests()
        if digests != self.digests:  # (a no-change rebuild encodes none of its 7,700 entries)
            self._write_state(OUTPUT_STATE, dump_digests(digests))
        exported = self.hasher.export(covered)
        if exported != hashes:  # comparing is cheaper than encoding 40,000 entries
            self._write_state(HASH_CACHE, json.dumps(exported).encode())
        self._write_state(FAILURE_CACHE, json.dumps(self.new_failures).encode())
        self._write_state(INDEX_STATE, json.dumps(self.index_state).encode())
        self._write_state(DURATIONS, json.dumps({k: v for k, v in sorted(
            {**timed, **self.durations}.items()) if k.split(" ")[0] in self.by_dir},
            indent=0).encode())
        for name, data in self.state.items():
            self._write_state(name, data)

        def statuses() -> list[dict[str, Any]]:
            return [self._status_of(a) for a in manifest["artefacts"]] + [
                {"path": None, "status": "failed", "design": d.split("/")[1] if "/" in d
                 else d, "dir": d, "platform": p, "error": msg}
                for (d, p), msg in sorted(self.failed.items())]

        return BuildResult(manifest, statuses, self.errors, self.rendered, self.cached,
                           self.jobs_rendered, time.perf_counter() - t0, removed, self.notes)

    def _read_state(self, name: str) -> bytes | None:
        self.state_read[name] = data = self.writer.read_state(name)
        return data

    def _write_state(self, name: str, data: bytes) -> None:
        """Store build state, unless it is what is stored already (a no-change rebuild
        rewrites none of its megabytes)."""
        if data != self.state_read.get(name):
            self.writer.write_state(name, data)

    def _report_job_errors(self, plan: Plan) -> None:
        """Render errors in plan order (file, then platform), not in completion order."""
        for job in plan.jobs:
            err = self.job_errors.pop(job.ident, None)
            if err is not None:
                self.errors.append(err)

    def _set(self, key: Ident, entries: list[Entry]) -> None:
        self.entries[key] = entries
        self.by_dir.setdefault(key[0], set()).add(key)

    def _variant_entries(self, plan: Plan) -> list[Entry]:
        dirs_with_files = {d for (d, _p), g in self.entries.items() if g}
        out: list[Entry] = []
        seen: set[str] = set()
        for vp in plan.variants:
            if vp.dir not in dirs_with_files:
                continue
            seen.add(vp.dir)
            have = {e["platform"] for key in self.by_dir.get(vp.dir, ())
                    for e in self.entries[key]}
            bundle = self.entries.get((vp.dir, "bundle"))
            errors = [msg for (_d, p), msg in self.failed.items() if (vp.dir, p) in self.failed
                      and _d == vp.dir] if self.failed else []
            out.append(variant_entry(
                vp.variant, source=vp.design.rel, source_hash=vp.design.source_hash,
                platforms=[p for p in vp.variant.platforms if p in have],
                # The variant's own zip, not one of a carousel's per-shape zips.
                bundle=next((e["path"] for e in bundle or [] if not e.get("group")), None),
                errors=errors))
        bad_files: dict[str | None, list[str]] = {}
        for e in self.errors:
            bad_files.setdefault(e.file, []).append(str(e))
        previous = [*((self.writer.previous or {}).get("variants") or []),
                    *((self.previous or {}).get("variants") or [])]  # published: fresh checkout
        for v in previous if isinstance(previous, list) else []:
            if not isinstance(v, dict):
                continue
            d = f"{v.get('campaign')}/{v.get('design')}/{v.get('lang')}"
            if d in dirs_with_files and d not in seen:
                seen.add(d)
                out.append({**v, "errors": bad_files.get(v.get("source"), [])})
        return out

    def _page(self, manifest: dict[str, Any], unchanged: bool
              ) -> tuple[str | None, dict[str, bytes]]:
        html, assets, self.index_state = render_page(
            manifest, _load_json(self._read_state(INDEX_STATE)),
            lambda rel: self.hasher.sha(self.out / rel), out=self.out, force=self.force,
            previous=self.writer.previous, loaded=self.loaded, unchanged=unchanged)
        return html, assets

    # -- reporting -----------------------------------------------------------------------

    def _status_of(self, a: Entry) -> dict[str, Any]:
        status = self.status.get(a["path"], "kept")
        out = {"path": a["path"], "status": status,
               "role": a.get("role"), "design": a.get("design"), "lang": a.get("lang"),
               "platform": a.get("platform"), "slide": a.get("slide"),
               "bytes": a.get("bytes"), "sha256": a.get("sha256")}
        if status == "rendered" and a.get("role") != "bundle":
            out["reason"] = self.reasons.get(ident(a), "bundle member")
        return out


def _built_at(manifest: dict[str, Any], previous: dict[str, Any] | None) -> str:
    """When this build's content first existed (UTC): kept while the build id is unchanged,
    so a no-change rebuild writes the same manifest; publish refuses to replace a live site
    built later (unless --allow-older)."""
    import datetime as dt

    if previous and previous.get("build_id") == manifest["build_id"] \
            and isinstance(previous.get("built_at"), str):
        return str(previous["built_at"])
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _cores() -> int:
    """CPUs this process may use (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _durations(data: Any) -> dict[str, float]:
    """Recorded render times, keeping only well-formed entries."""
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if isinstance(v, (int, float))}


def _load_json(data: bytes | None) -> dict[str, Any]:
    try:
        cache = json.loads(data or b"{}")
    except ValueError:
        return {}
    return cache if isinstance(cache, dict) else {}


__all__ = ["BuildResult", "Progress", "build", "build_project"]
