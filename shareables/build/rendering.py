"""The build's render step: run the dirty jobs, write each one's files as they arrive.

A mixin of the pipeline's `_Build` (steps.py declares the state it works on): jobs go to the
executor longest first, each finished job's files are written through the build's one writer
and recorded as manifest entries, and a failed job is reported against its design file (its
previous good files stay) and cached by key unless it may pass next time.
"""

from __future__ import annotations

import dataclasses

from ..errors import RenderError, ShareablesError
from ..project.design import locate
from .manifest import IMAGE_ROLES, artefact_entry, link_clip, output_path
from .plan import Job, job_cost
from .report import Progress
from .steps import BuildSteps, Entry
from .worker import JobFailure, RenderedFile

OF_ROLES = ("thumbnail", "poster", "captions")
"""Files that belong to another of the job's files (their `of`)."""


class RenderStep(BuildSteps):
    """Render methods of the build."""

    def _render(self, jobs: list[Job]) -> None:
        total = len(jobs)
        done = 0

        def handle(job: Job, result: list[RenderedFile] | JobFailure, seconds: float) -> None:
            nonlocal done
            done += 1
            self.durations[f"{job.dir} {job.platform}"] = round(seconds, 3)
            ok = not isinstance(result, JobFailure)
            if isinstance(result, JobFailure):
                self._fail(job, result)
            else:
                try:
                    self._store(job, result)
                except ShareablesError as e:  # e.g. two designs claiming one path
                    self._fail(job, JobFailure(e.message, e.field, e.line, e.col, e.hint))
                    ok = False
            if self.progress:
                self.progress(Progress(done, total, f"{job.dir} {job.platform}", ok))

        if total:
            # Longest first (carousels, tall canvases): the pool's last minutes are then short
            # jobs, not one big carousel keeping a single core busy while the others idle.
            jobs = sorted(jobs, key=job_cost, reverse=True)
            from .executor import run_jobs  # (the pool's imports: only when rendering)

            early, self.early = self.early, None  # (a pool started early: taken over once)
            run_jobs(jobs, self.renderer, min(self.jobs, total), handle, self.executor, early)

    def _store(self, job: Job, files: list[RenderedFile]) -> None:
        """Write one job's files and record their manifest entries."""
        self.jobs_rendered += 1
        site = job.dir == "site"
        entries: list[Entry] = []
        image_path: dict[int | None, str] = {}
        # images before their thumbnails, clips before their poster and captions
        for f in sorted(files, key=lambda f: f.role in OF_ROLES):
            if site and f.role == "thumbnail":
                continue
            role = "site-og" if site else f.role
            path = output_path(job.dir, job.platform, role, f.slide, f.ext,
                               f.width if role == "thumbnail" else None)
            of = image_path.get(f.slide) if role in OF_ROLES else None
            written = self.writer.write(path, f.data, owner=job.owner)
            self.hasher.record(self.out / path, written.sha256)
            if role not in OF_ROLES:
                image_path[f.slide] = path
            entries.append(artefact_entry(
                job.variant, platform=job.platform, role=role, slide=f.slide, of=of, path=path,
                width=f.width, height=f.height, size=written.bytes, sha256=written.sha256,
                content_type=f.content_type, source_hash=job.source_hash, cache_key=job.key,
                alt=f.alt))
            self.status[path] = "rendered"
            self.rendered += role in IMAGE_ROLES
            self.notes.extend(f"{path}: {n}" for n in f.notes)
        link_clip(entries, next((f.duration for f in files if f.role == "clip"), None))
        self._set(job.ident, entries)

    def _fail(self, job: Job, failure: JobFailure) -> None:
        if self.on_failure is not None:
            self.on_failure(job, failure)
        line, col = failure.line, failure.col
        if line is None and failure.field and job.dir != "site":
            line, col = locate(self.settings.project_dir / job.owner, job.owner,
                               failure.field, None if job.variant.original else job.variant.lang,
                               row=job.design_line)
        message = failure.message
        if job.platform not in message:
            message += f" (platform {job.platform})"
        err = RenderError(message, file=job.owner, line=line, col=col, field=failure.field,
                          hint=failure.hint)
        if not (failure.internal or failure.timed_out):  # (those may pass next time)
            self.new_failures[job.key] = dataclasses.asdict(failure)
        self.job_errors[job.ident] = err  # reported in plan order, not completion order
        self.failed[job.ident] = str(err)
        self._keep_old(job.ident)
