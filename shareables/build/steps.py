"""The state the steps of one build share, declared once.

`pipeline._Build` is the build; its steps live in mixins next to it (reuse.py, rendering.py,
bundling.py, remote.py), each working on these attributes, which `_Build.__init__` sets. The
methods below are the ones a step calls on another: `_Build` or a sibling mixin defines each.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..errors import ShareablesError
    from ..project.model import Settings, Variant
    from .keys import FileHasher
    from .plan import Job
    from .pool import EarlyPool
    from .report import Progress
    from .worker import JobFailure, Renderer
    from .writer import OutputWriter

Entry = dict[str, Any]
Ident = tuple[str, str]


class BuildSteps:
    """Attributes and cross-step methods of `pipeline._Build` (see the module docstring)."""

    settings: Settings
    out: Path
    out_str: str  # os.fspath(out), for joining many paths cheaply
    force: bool
    jobs: int
    renderer: Renderer
    executor: str | None
    progress: Callable[[Progress], None] | None
    on_failure: Callable[[Job, JobFailure], None] | None
    writer: OutputWriter
    hasher: FileHasher
    entries: dict[Ident, list[Entry]]  # what the new manifest lists, by job
    by_dir: dict[str, set[Ident]]  # the same, indexed by output folder
    status: dict[str, str]  # path -> rendered | cached | remote | kept
    failed: dict[Ident, str]  # job identity -> error text
    errors: list[ShareablesError]  # the build's errors so far (design, plan, render)
    limited: bool  # paths, --platform or --shard: designs outside it are kept as they are
    known_failures: dict[str, Any]  # failures.json: job key -> JobFailure fields
    reasons: dict[Ident, str]  # why a job is rendered (the JSON report)
    job_errors: dict[Ident, ShareablesError]
    new_failures: dict[str, dict[str, Any]]  # failures.json to write
    old: dict[Ident, list[Entry]]  # the manifest on disk, by job
    remote: dict[Ident, list[Entry]]  # the published manifest (fresh checkout), by job
    notes: list[str]
    durations: dict[str, float]  # "<dir> <platform>" -> render seconds
    rendered: int
    cached: int
    jobs_rendered: int
    early: EarlyPool | None  # the render pool, when started before the plan (pool.py)

    def _render(self, jobs: list[Job]) -> None: ...
    def _fail(self, job: Job, failure: JobFailure) -> None: ...
    def _read_state(self, name: str) -> bytes | None: ...
    def _write_state(self, name: str, data: bytes) -> None: ...
    def _set(self, key: Ident, entries: list[Entry]) -> None: ...
    def _keep_old(self, key: Ident) -> None: ...
    def _valid(self, entry: Entry) -> str | None: ...
    def _expect_rewrites(self, job: Job) -> None: ...
    def _adopt(self, key: Ident, cache_key: str, variant: Variant, source_hash: str
               ) -> str | None: ...
