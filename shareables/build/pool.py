"""The local process pool: canvases rendered in worker processes, results in the parent.

Jobs run by canvas (plan.group_by_canvas): the platforms sharing one are rendered together
by worker.run_group. Where the build is small (under `SMALL_BUILD_PIXELS` of work and no
photo) it stays in this process: starting processes would cost more than the second core
gains; but not when the build runs outside the main thread (`shareables serve`), where the
render's wall-clock budget (SIGALRM) cannot reach it. Otherwise this process first renders
the smallest canvas without a photo, which loads the imports, fonts and logos, and the pool
forks its workers from it, warm (`worker.WARM`).

Both only while this process is lean (`LEAN_PARENT_MB`): a build of a large project holds
its manifest and designs (~170 MiB at 1,000 designs), drawing here would add Pillow, fonts
and canvases on top, and every forked worker would start with all of it mapped. Then, and
whenever this process runs other threads (`shareables serve`), the workers come from a fork
server that has imported only the renderer's modules (`multiprocessing`'s forkserver start
method with a preload), and this process draws nothing.

Each worker runs under its CPU and memory backstop (worker.limit_worker). A render process
the kernel ended breaks the pool: its in-flight canvases go back to the queue once; one in
flight when a second pool breaks is reported as the one that exceeded its budget. At most a
few canvases per worker are in flight, so finished bytes are written (and freed) as they
arrive instead of piling up in the parent.

A large project's build starts its pool early (`EarlyPool`), before it has read its manifest
and worked out what is dirty: the fork server and the workers' set-up overlap that work, and
the first few canvases of the designs whose files changed are handed out at once. The pool
then renders the dirty canvases; one handed out early is taken only when its jobs have the
same cache keys (the same bytes), otherwise it is rendered as usual and the early result is
dropped.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from ..platforms import Platform, target
from . import worker
from .worker import JOB_MEMORY_MB, JOB_SECONDS, JobFailure, Renderer, Result, init_worker

if TYPE_CHECKING:
    from ..project.model import Variant
    from .plan import Job

Group = Sequence["Job"]
HandleGroup = Callable[[Group, Sequence[Result], float], None]
"""Called in the parent for each finished canvas: (its jobs, their results, seconds)."""
Call = Callable[..., tuple[list[Result], float]]
"""What runs in the worker: (variant, platforms) -> (results, seconds): worker.timed_group."""

SMALL_BUILD_PIXELS = 6 * 1080 * 1350
"""Work (canvas pixels x images) below which a build renders in this process."""
LEAN_PARENT_MB = 112
"""Resident size above which this process neither draws nor forks its workers."""
PRELOAD = ["shareables.build.worker", "shareables.render.compose", "shareables.render.encode",
           "shareables.render.thumbs", "fontTools.ttLib", "defusedxml.ElementTree", "av",
           "av.video.reformatter"]
"""What the fork server imports once for all the workers it forks: the renderer, and what it
imports when it first draws (font tables, the logo's XML, PyAV for thumbnails: ~90 ms a
worker). A module that is not installed (PyAV is optional) is skipped."""
IN_FLIGHT_PER_WORKER = 3


class EarlyPool:
    """Render processes started before the build knows its dirty canvases (see the module
    docstring), from the fork server (the build process will be large by the time it would
    fork), with `groups` handed out at once. Started in a thread: the fork server's start
    is spent waiting, and the build reads its manifest meanwhile. `run_groups` takes it over
    and closes it; `close(stop=True)` ends it on an interrupted build."""

    def __init__(self, renderer: Renderer, workers: int, groups: list[list[Job]],
                 call: Call = worker.timed_group) -> None:
        self.renderer, self.workers, self.call = renderer, workers, call
        self.context = _forkserver_context()
        self.pool: ProcessPoolExecutor | None = None
        self.early: dict[tuple[str, ...], Future[Any]] = {}
        self._thread: threading.Thread | None = None
        if self.context is not None:
            self._thread = threading.Thread(target=self._start, args=(groups,),
                                            name="shareables-early-pool", daemon=True)
            self._thread.start()

    def _start(self, groups: list[list[Job]]) -> None:
        try:
            pool = ProcessPoolExecutor(self.workers, mp_context=self.context,
                                       initializer=_init, initargs=(self.renderer, None, True))
            self.pool = pool
            for group in groups[:self.workers * IN_FLIGHT_PER_WORKER]:
                self.early[_keys(group)] = pool.submit(self.call, *canvas_args(group))
            for _ in range(self.workers - len(self.early)):  # every worker starts either way
                pool.submit(_started)
        except Exception:  # noqa: BLE001 - no early pool, then: the build starts one as usual
            self.close(stop=True)

    def ready(self) -> bool:
        """Wait for the start; whether the pool is there to take over."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        return self.pool is not None

    def take(self, group: Sequence[Job]) -> Future[Any] | None:
        """The early render of `group`'s very jobs (same keys), if one was handed out."""
        return self.early.pop(_keys(group), None)

    def close(self, *, stop: bool = False) -> None:
        """Shut the pool down; early renders nobody took are dropped. `stop` (an interrupted
        build) kills the processes now. Otherwise any still drawing finish on their own
        while the build goes on (the interpreter waits for them at exit): killed mid-result
        they could leave a half-written message the pool's reader would wait on for ever."""
        if self._thread is not None and self._thread is not threading.current_thread():
            self.ready()
        pool, self.pool = self.pool, None
        if pool is None:
            return
        if stop:
            stop_pool(pool)
        else:
            busy = any(f.running() for f in self.early.values())
            pool.shutdown(wait=not busy, cancel_futures=True)
        self.early.clear()


def canvas_args(group: Sequence[Job]) -> tuple[Variant, list[Platform]]:
    """What renders a canvas (worker.run_group, here or remote): its variant and its jobs'
    platforms."""
    return group[0].variant, [target(j.platform) for j in group]


def _keys(group: Sequence[Job]) -> tuple[str, ...]:
    return tuple(f"{j.platform} {j.key}" for j in group)


def _started() -> None:
    """Nothing: a task that makes the pool start a worker (its initializer sets it up)."""


def run_groups(groups: list[list[Job]], renderer: Renderer, workers: int,
               handle: HandleGroup, call: Call = worker.timed_group,
               early: EarlyPool | None = None) -> None:
    """Run canvases in `workers` processes (in this process for one, or a small build);
    `early`: a pool already started for this build, used instead of starting one."""
    if early is not None and not (early.renderer is renderer and early.call is call
                                  and groups and early.ready()):
        early.close()
        early = None
    token = None
    if early is not None:
        workers, context = early.workers, early.context
    else:
        workers = min(workers, len(groups))
        lean = worker.process_memory()[1] <= LEAN_PARENT_MB * 2**20
        small = lean and sum(_work(g) for g in groups) <= SMALL_BUILD_PIXELS \
            and all(map(_tame, groups))
        # The wall-clock budget is SIGALRM, which reaches only the main thread: a build in
        # another thread (`shareables serve`'s rebuilds) renders in a worker, under it.
        main = threading.current_thread() is threading.main_thread()
        if not groups or (workers <= 1 or small) and main:
            init_worker(renderer, worker=False)
            for group in groups:
                handle(group, *call(*canvas_args(group)))
            return
        workers = max(workers, 1)
        # Forking copies one thread: with others running (`shareables serve`'s HTTP server
        # and watcher) a lock one of them holds stays locked in the child forever.
        forkable = lean and threading.active_count() == 1
        context = _fork_context() if forkable else _forkserver_context()
        tame = [i for i, g in enumerate(groups) if _tame(g)] if forkable else []
        groups = list(groups)
        if context is not None and tame:  # warm this process, then fork workers from it
            init_worker(renderer, worker=False)
            token = f"{os.getpid()}-{id(renderer)}-{time.monotonic_ns()}"
            worker.WARM = (token, renderer)
            group = groups.pop(min(tame, key=lambda i: _work(groups[i])))
            handle(group, *call(*canvas_args(group)))
    queue = list(reversed(groups))  # pop() from the end: plan order
    suspects: dict[int, int] = {}  # id(group) -> broken pools it was in flight in
    try:
        while queue:
            _run_pool(queue, suspects, renderer, workers, handle, call, context, token, early)
            early = None  # (broke: the rest in fresh pools)
    finally:
        worker.WARM = None
        if early is not None:
            early.close()


def _tame(group: Sequence[Job]) -> bool:
    """Whether a canvas may render in the build process itself (no memory budget there):
    not a photo, the one input whose decoding can take hundreds of MiB. Photos always
    render in a worker under JOB_MEMORY_MB."""
    return group[0].variant.background.image is None


def _work(group: Sequence[Job]) -> int:
    from .plan import job_cost

    return job_cost(group[0])


def _init(renderer: Renderer, token: str | None, forked: bool) -> None:
    init_worker(renderer, token, forked=forked)


def _fork_context() -> Any:
    """The fork start method where the platform has it (workers inherit a warm parent)."""
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


def _forkserver_context() -> Any:
    """The forkserver start method, preloaded with the renderer (None where unavailable)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    _start_forkserver()
    return context


def start_forkserver() -> None:
    """Start the fork server now, preloaded (`PRELOAD`), so that the pool started later
    forks its workers at once instead of waiting for the server's imports."""
    _forkserver_context()


def _start_forkserver() -> None:
    """Start the fork server, if it is not running, with Ctrl+C (SIGINT) ignored: it is in
    the terminal's process group, and until it has imported PRELOAD a Ctrl+C printed its
    KeyboardInterrupt traceback under the build's own message. An ignored signal stays
    ignored across exec (a held one does not), so the server and every worker it forks never
    see one; the build stops them itself (stop_pool). Main thread only (where signal
    handlers are set); elsewhere the server starts on the pool's first process."""
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        return
    with ctrl_c_held():  # (held meanwhile: on Linux a Ctrl+C then is delivered right after)
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            forkserver.ensure_running()
        finally:
            signal.signal(signal.SIGINT, old)


def _run_pool(queue: list[list[Job]], suspects: dict[int, int], renderer: Renderer,
              workers: int, handle: HandleGroup, call: Call, context: Any,
              token: str | None, early: EarlyPool | None = None) -> None:
    """Run canvases from `queue` in one pool until it is empty or the pool breaks (see the
    module docstring); in `early`'s pool, taking its early renders of queued canvases. Any
    exception here (Ctrl+C) kills the render processes first."""
    inflight: dict[Future[Any], list[Job]] = {}
    _quiet_cancelled_when_broken()  # (this pool may cancel futures: see there)
    if early is not None and early.pool is not None:
        pool = early.pool
        for group in list(queue):
            fut = early.take(group)
            if fut is not None:
                queue.remove(group)
                inflight[fut] = group
        for fut in early.early.values():  # not dirty after all: don't let them hold workers
            fut.cancel()
    else:
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init,
                                   initargs=(renderer, token, context is not None))
    try:
        def submit() -> bool:
            """Hand out the next canvas; False when the pool broke since the last result
            (the canvas goes back to the queue; the work in flight comes back broken)."""
            if queue:
                group = queue.pop()
                try:
                    fut = pool.submit(call, *canvas_args(group))
                except BrokenProcessPool:
                    queue.append(group)
                    return False
                inflight[fut] = group
            return True

        with ctrl_c_held():  # the first submits fork the workers
            while len(inflight) < workers * IN_FLIGHT_PER_WORKER and queue:
                if not submit():
                    break
        while inflight:
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                group = inflight.pop(fut)
                seconds = 0.0
                try:
                    results, seconds = fut.result()
                except BrokenProcessPool:
                    broken = True
                    suspects[id(group)] = suspects.get(id(group), 0) + 1
                    if suspects[id(group)] < 2:
                        queue.append(group)  # retried in a fresh pool
                        continue
                    results = [JobFailure(
                        f"the render process for {job.platform} was stopped: it went over its "
                        f"time or memory budget ({JOB_SECONDS:g} s, {JOB_MEMORY_MB:,} MiB)",
                        hint="shorten the text, or simplify the logo or photo",
                        timed_out=True) for job in group]
                except Exception as e:  # noqa: BLE001 - a worker died another way
                    results = [JobFailure(f"the render process failed: {type(e).__name__}: "
                                          f"{e}", internal=True)] * len(group)
                handle(group, results, seconds)
            if broken:
                for fut, group in inflight.items():  # the rest of the broken pool's work
                    fut.cancel()
                    queue.append(group)
                inflight.clear()
                return
            while len(inflight) < workers * IN_FLIGHT_PER_WORKER and queue:
                if not submit():
                    break
    except BaseException:
        stop_pool(pool)
        raise
    finally:
        if early is not None and early.pool is pool:
            early.close()
        else:
            pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Hold Ctrl+C (SIGINT) in this thread while the pool forks its workers; delivered
    right after. Mid-fork it would be raised in Python's fork hooks, which ignore it (the
    build went on to the end), or before the new process is listed for stop_pool (left
    running, the build hung at exit); a worker would get it before its initializer ignores
    it. The workers inherit the held signal and never see it."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's render processes now (an interrupted build must not leave them running)."""
    _quiet_cancelled_when_broken()
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            proc.kill()
    with contextlib.suppress(Exception):
        pool.shutdown(wait=False, cancel_futures=True)


def _quiet_cancelled_when_broken() -> None:
    """Keep CPython 3.11's gh-107219 off the terminal: when a pool breaks (a render process
    killed over its budget, or by stop_pool) its manager thread marks every pending future
    failed, and one this build had cancelled (an early render nobody needed) raises
    InvalidStateError there, printed as "Exception in thread …" under the build's output.
    Fixed in 3.12 by ignoring exactly that error; this hook ignores exactly that error, from
    that thread, and passes everything else on. Installed once."""
    global _HOOKED
    if _HOOKED or sys.version_info >= (3, 12):
        return
    _HOOKED = True
    from concurrent.futures import InvalidStateError
    from concurrent.futures.process import _ExecutorManagerThread

    previous = threading.excepthook

    def hook(args: Any) -> None:
        if not (isinstance(args.exc_value, InvalidStateError)
                and isinstance(args.thread, _ExecutorManagerThread)):
            previous(args)

    threading.excepthook = hook


_HOOKED = False
