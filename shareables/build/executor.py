"""Where render jobs run: a `concurrent.futures.Executor`, local processes or a Dask cluster.

The build hands `run_jobs` its dirty jobs; each job's encoded files come back to the parent,
whose single writer puts them in output/ (workers never write). Two executors:

- the process pool (default): pool.py's `ProcessPoolExecutor` (per-job budgets, a broken
  pool restarted, workers forked warm from the parent; small builds stay in-process);
- `dask://HOST:PORT`: a Dask distributed scheduler, through `Client.get_executor()` (the
  optional extra, `pip install 'shareables[dask]'`). Workers need only this package: the
  renderer travels with each task (it pickles to almost nothing) and is set up once per
  worker process. Fonts, logos and photos are read from the paths the plan names, so the
  project must be at the same path on the workers (the same checkout or a shared volume).

Either way the unit of work is a canvas (plan.group_by_canvas: the platforms that draw
identical pixels, rendered once), and only a few canvases per worker are in flight at a
time, so finished bytes are written (and freed) as they arrive instead of piling up in the
parent.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import ShareablesError
from ..platforms import Platform
from ..project.model import Variant
from .worker import JobFailure, Renderer, Result, init_worker, timed_group

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

    from .plan import Job
    from .pool import EarlyPool

Handle = Callable[["Job", Result, float], None]
"""Called in the parent for each finished job: (job, files or failure, render seconds)."""


class ExecutorError(ShareablesError):
    """The executor cannot be reached or is misconfigured (exit 2: nothing was rendered)."""

    exit_code = 2


def parse_executor(spec: str | None) -> str | None:
    """None/'process' -> None (the process pool); 'dask://host:port' stays; else an error."""
    if spec is None or spec in ("", "process"):
        return None
    if spec.startswith(("dask://", "tcp://", "tls://")) and spec.split("://", 1)[1]:
        return spec
    raise ValueError(f"--executor must be 'process' or dask://HOST:PORT, not {spec!r}")


def run_jobs(jobs: list[Job], renderer: Renderer, workers: int, handle: Handle,
             executor: str | None = None, early: EarlyPool | None = None) -> None:
    """Run `jobs` and call `handle` for each in completion order (see the module docstring).

    `workers` bounds the local pool (1: render in this process; worker.py's pool, with its
    per-job budgets and restarts); for Dask the cluster's thread count decides how many jobs
    are in flight. `early`: the local pool, started before the plan (pool.EarlyPool).
    """
    from .plan import group_by_canvas
    from .pool import canvas_args, run_groups  # (here: `build` imports this module)

    groups = group_by_canvas(jobs)

    def each(group: Sequence[Job], results: Sequence[Result], seconds: float) -> None:
        # A canvas's time is shared by its platforms (shards are balanced by the sums).
        for job, result in zip(group, results, strict=True):
            handle(job, result, seconds / len(group))

    if executor is None:
        run_groups(groups, renderer, workers, each, early=early)
        return
    try:
        from distributed import Client
    except ImportError:
        raise ExecutorError("--executor dask:// needs Dask distributed",
                            hint="pip install 'shareables[dask]'") from None
    address = executor.replace("dask://", "tcp://", 1)
    try:
        client = Client(address, timeout="10s")
    except OSError as e:
        raise ExecutorError(f"cannot reach the Dask scheduler at {address}: {e}",
                            hint="start one (dask scheduler) or drop --executor") from None
    blob = pickle.dumps(renderer)
    try:
        slots = max(1, sum(client.nthreads().values()))
        with client.get_executor(pure=False) as pool:
            _drain(groups, pool, slots,
                   lambda p, group: p.submit(remote_group, blob, *canvas_args(group)), each)
    finally:
        client.close()


def _drain(groups: list[list[Job]], pool: Executor, slots: int,
           submit_one: Callable[[Executor, list[Job]], Future[Any]],
           each: Callable[[Sequence[Job], Sequence[Result], float], None]) -> None:
    from concurrent.futures import FIRST_COMPLETED, wait

    from .pool import IN_FLIGHT_PER_WORKER

    queue = iter(groups)
    inflight: dict[Future[Any], list[Job]] = {}

    def fail(group: Sequence[Job], message: str) -> None:
        each(group, [JobFailure(message, internal=True)] * len(group), 0.0)

    def submit() -> None:
        group = next(queue, None)
        if group is not None:
            inflight[submit_one(pool, group)] = group

    for _ in range(slots * IN_FLIGHT_PER_WORKER):
        submit()
    while inflight:
        done, _ = wait(inflight, return_when=FIRST_COMPLETED)
        for fut in done:
            group = inflight.pop(fut)
            try:
                results, seconds = fut.result()
            except Exception as e:  # noqa: BLE001 - a worker died (e.g. out of memory)
                fail(group, f"the render process failed: {type(e).__name__}: {e}")
            else:
                each(group, results, seconds)
            try:
                submit()
            except Exception as e:  # noqa: BLE001 - pool broken: fail what is left
                for rest in queue:
                    fail(rest, f"the render processes stopped: {e}")


_REMOTE: dict[bytes, bool] = {}


def remote_group(renderer_blob: bytes, variant: Variant, platforms: Sequence[Platform]
                 ) -> tuple[list[Result], float]:
    """A canvas on a Dask worker: set the renderer up once per worker process, then render."""
    if renderer_blob not in _REMOTE:
        _REMOTE.clear()
        # worker=False: a Dask worker is not ours to cap (its nanny enforces memory limits),
        # and its tasks run in threads, where the per-job alarm cannot fire.
        init_worker(pickle.loads(renderer_blob), worker=False)  # noqa: S301 - our own bytes
        _REMOTE[renderer_blob] = True
    missing = _missing_inputs(variant)
    if missing:
        failure = JobFailure(f"the render worker cannot read {missing}",
                             hint="the project must be at the same path on every Dask worker "
                                  "(same checkout or a shared volume)", internal=True)
        return [failure] * len(platforms), 0.0
    return timed_group(variant, platforms)


def _missing_inputs(variant: Variant) -> str | None:
    """The first font, logo or photo path this worker cannot read (a wrong shared path)."""
    import dataclasses
    from pathlib import Path

    def paths(value: Any) -> Iterator[Path]:
        if isinstance(value, Path):
            yield value
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                yield from paths(getattr(value, f.name))
        elif isinstance(value, (list, tuple)):
            for v in value:
                yield from paths(v)

    for p in paths([variant.theme, variant.background, variant.logo]):
        if not p.exists():
            return str(p)
    return None


__all__ = ["ExecutorError", "parse_executor", "run_jobs"]
