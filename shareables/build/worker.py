"""What runs inside each build process: render one canvas, return encoded bytes.

A canvas is the jobs whose platforms draw identical pixels (plan.canvas_signature): drawn
once, each image encoded once per (format, quality), one set of thumbnails. Workers never
touch output/ (writer.py in the parent does); they return `RenderedFile`s per job.
The renderer is pluggable so the build's caching and crash-safety can be tested without
drawing (tests pass a small fake), and so Pillow is imported only when something renders.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import MissingGlyphError, ShareablesError
from ..platforms import CLIPS, CONTENT_TYPES, EXTENSIONS, Platform
from ..project.model import Variant
from ..site.shapes import previewed, thumb_widths

POSTER_WIDTH = 400
"""A clip's poster image (its first frame, small) for the page."""



@dataclass(frozen=True)
class RenderedFile:
    """One encoded output of a job. Thumbnails preview the image with the same `slide`."""

    role: str  # image | slide | pdf | thumbnail
    slide: int | None
    ext: str
    content_type: str
    data: bytes
    width: int
    height: int
    notes: tuple[str, ...] = ()
    duration: float | None = None  # clips: seconds
    alt: str | None = None  # this file's own alt text (a carousel slide), else the variant's


class Renderer(Protocol):
    """Turns (variant, platform) into encoded files. Instances are pickled to workers."""

    def fingerprint(self) -> str:
        """Changes whenever output bytes could change; cheap, no heavy imports."""
        ...

    def setup(self) -> None:
        """Per-process preparation (fonts, logos), run once in each worker."""
        ...

    def render(self, variant: Variant, platform: Platform) -> list[RenderedFile]:
        """All files of one job; raises ShareablesError (RenderError) for bad designs."""
        ...


class PillowRenderer:
    """The real renderer: render.render_variant + encode.encode_image/encode_pdf."""

    def __init__(self) -> None:
        self._res: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {}  # per-process caches never cross process boundaries

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._res = None

    def fingerprint(self) -> str:
        from .keys import renderer_fingerprint

        return renderer_fingerprint()

    def setup(self) -> None:
        from ..render.resources import Resources

        self._res = Resources()

    def render(self, variant: Variant, platform: Platform) -> list[RenderedFile]:
        return self.render_many(variant, [platform])[0]

    def render_many(self, variant: Variant, platforms: Sequence[Platform]
                    ) -> list[list[RenderedFile]]:
        """The files of several platforms with one canvas (plan.canvas_signature): drawn once,
        each (image, format, quality) encoded once, one set of thumbnails per image."""
        from ..render import compose as render

        if self._res is None:
            self.setup()
        if platforms[0].id in CLIPS:  # a clip is a canvas of its own (plan.Job.canvas)
            return [self._clip(variant, p) for p in platforms]
        images = render.render_variant(variant, platforms[0], self._res)
        shared = SharedEncodes(images)
        return [self._files(variant, p, images, shared, platforms[0].id) for p in platforms]

    def _files(self, variant: Variant, platform: Platform, images: list[Any],
               shared: SharedEncodes, drawn_for: str) -> list[RenderedFile]:
        from ..render import encode

        if platform.document:
            data = shared.pdf(lambda: encode.encode_pdf(
                images, title=variant.title or variant.design_id, alt=variant.alt,
                lang=variant.lang))
            return [RenderedFile("pdf", None, "pdf", CONTENT_TYPES["pdf"], data,
                                 platform.width, platform.height)]
        # A carousel on a single-image platform (a link preview) is its cover alone: one
        # image, named like any other single image. Stories keep their sequence of frames.
        carousel = variant.kind == "carousel" and (
            platform.carousel_limit is not None or len(images) > 1)
        photo = variant.background.image is not None
        shown = previewed(variant.platforms, variant.kind)
        widths = thumb_widths(platform) if platform.id in shown else ()
        out: list[RenderedFile] = []
        for i, img in enumerate(images, start=1):
            slide = i if carousel else None
            alt = slide_alt_of(variant, img.info.get("shareables", {}), i, len(images)) \
                if carousel else variant.alt
            enc = encode.encode_image(img, platform, alt=alt, photo=photo, lang=variant.lang,
                                      saved=shared.saved(i - 1, alt))
            drawn = [_relabel(n, drawn_for, platform.id)
                     for n in img.info.get("shareables", {}).get("notes", [])]
            out.append(RenderedFile("slide" if carousel else "image", slide, enc.ext,
                                    enc.content_type, enc.data, img.width, img.height,
                                    tuple(dict.fromkeys([*drawn, *enc.notes])),
                                    alt=alt if carousel else None))
            out.extend(shared.thumbnails(i - 1, slide, widths))
        return out

    def _clip(self, variant: Variant, platform: Platform) -> list[RenderedFile]:
        """The MP4 (validated against its profile), its poster and its WebVTT captions."""
        from ..motion.clip import render_clip

        clip = render_clip(variant, platform.id, self._res)
        w, h = platform.width, platform.height
        poster = thumbnails(clip.poster, None, (POSTER_WIDTH,))[0]
        notes = (f"{clip.seconds:.1f} s, {clip.frames} frames ({clip.composed} composed), "
                 f"{clip.report.video_kbps:.0f} kb/s",)
        return [
            RenderedFile("clip", None, "mp4", CONTENT_TYPES["mp4"], clip.data, w, h, notes,
                         duration=clip.seconds),
            RenderedFile("poster", None, poster.ext, poster.content_type, poster.data,
                         poster.width, poster.height),
            RenderedFile("captions", None, "vtt", CONTENT_TYPES["vtt"],
                         clip.captions.encode(), w, h),
        ]


class SharedEncodes:
    """What platforms drawing the same images share: the encoded bytes of each image by
    (format, quality) for one alt text, the PDF, and the thumbnails of each image."""

    def __init__(self, images: list[Any]) -> None:
        self.images = images
        self._saved: dict[tuple[int, str], dict[tuple[str, int | None], bytes]] = {}
        self._thumbs: dict[tuple[int, int | None, tuple[int, ...]], list[RenderedFile]] = {}
        self._pdf: bytes | None = None

    def saved(self, index: int, alt: str) -> dict[tuple[str, int | None], bytes]:
        return self._saved.setdefault((index, alt), {})

    def thumbnails(self, index: int, slide: int | None,
                   widths: Sequence[int]) -> list[RenderedFile]:
        key = (index, slide, tuple(widths))
        if key not in self._thumbs:
            self._thumbs[key] = thumbnails(self.images[index], slide, widths)
        return self._thumbs[key]

    def pdf(self, make: Callable[[], bytes]) -> bytes:
        if self._pdf is None:
            self._pdf = make()
        return self._pdf


def _relabel(note: str, drawn_for: str, platform: str) -> str:
    """A render note names the platform it was drawn for ("x: ..."); say the one it serves."""
    prefix = f"{drawn_for}: "
    return f"{platform}: {note[len(prefix):]}" if note.startswith(prefix) else note


def slide_alt_of(variant: Variant, info: dict[str, Any], n: int, total: int) -> str:
    """One carousel slide's alt text: a hand-written alt stands for the cover; the content
    slides say their own words and the closing slide its call to share."""
    from ..project.alttext import clamp, slide_alt

    role = info.get("role", "content")
    if role == "cover" and variant.alt_custom:
        return clamp(variant.alt)
    return slide_alt(role, info.get("text"), n, total, title=variant.title,
                     handle=variant.handle, brand=variant.brand_name, lang=variant.lang,
                     photo=variant.background.alt)


def thumbnails(img: Any, slide: int | None, widths: Sequence[int]) -> list[RenderedFile]:
    """JPEG previews for the download page at `widths` (its 1x/2x/3x): render/thumbs.py."""
    from ..render.thumbs import jpeg_previews

    return [RenderedFile("thumbnail", slide, EXTENSIONS["jpeg"], CONTENT_TYPES["jpeg"], data,
                         width, height) for width, height, data in jpeg_previews(img, widths)]


@dataclass(frozen=True)
class JobFailure:
    """A picklable ShareablesError (exceptions with keyword-only fields don't unpickle)."""

    message: str
    field: str | None = None
    line: int | None = None
    col: int | str | None = None  # a spreadsheet's column header
    hint: str | None = None
    internal: bool = False
    missing_glyph: bool = False  # a MissingGlyphError: the same on every platform
    timed_out: bool = False  # over the wall-clock budget: the machine's load, never cached


_RENDERER: Renderer | None = None


# --- per-job budgets ----------------------------------------------------------------------
# Every render is bounded: a wall-clock deadline (SIGALRM, raised as JobBudgetExceeded inside
# the job), a CPU backstop the kernel enforces even inside C code (SIGPROF at its default
# action ends the process; the pool then restarts), and an address-space limit per worker
# (a decompression bomb gets MemoryError, not the machine's swap). Workers die with the
# build (PR_SET_PDEATHSIG), so killing or interrupting a build ends its renders.

JOB_SECONDS = float(os.environ.get("SHAREABLES_JOB_SECONDS") or 120)
"""Wall-clock budget of one render job (a 20-slide story carousel takes a few seconds)."""
CLIP_BUDGET_FACTOR = 4
"""Clips (a few hundred frames encoded, then decoded back to check) get four times that."""
JOB_MEMORY_MB = int(os.environ.get("SHAREABLES_JOB_MEMORY_MB") or 4096)
"""Address space of one render process, in MiB."""


class JobBudgetExceeded(BaseException):
    """Raised inside a job that ran past JOB_SECONDS. A BaseException, like
    KeyboardInterrupt, so the renderer's own `except Exception` handlers cannot swallow it."""


def _on_alarm(_sig: int, _frame: Any) -> None:
    raise JobBudgetExceeded


@contextlib.contextmanager
def job_deadline(seconds: float = JOB_SECONDS, *, backstop: bool = False) -> Iterator[None]:
    """Raise JobBudgetExceeded in this (main) thread after `seconds`; with `backstop` (in a
    worker process) also let the kernel end the process after twice that in CPU time."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield  # signals reach only the main thread (a preview rebuild runs in a thread)
        return
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    if backstop:
        signal.signal(signal.SIGPROF, signal.SIG_DFL)
        signal.setitimer(signal.ITIMER_PROF, seconds * 2 + 5)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if backstop:
            signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGALRM, old)


def limit_worker(memory_mb: int = JOB_MEMORY_MB, *, forked: bool = False) -> None:
    """In a render process: cap its address space and end it when the build process dies.

    A worker forked from the build process starts with the parent's address space mapped
    (thread stacks, library arenas: a long-lived parent can have gigabytes reserved), so
    its cap is what it already has plus `memory_mb` for the renders themselves.
    """
    with contextlib.suppress(ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        want = memory_mb * 1024 * 1024 + (process_memory()[0] if forked else 0)
        if hard == resource.RLIM_INFINITY or want < hard:
            resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    with contextlib.suppress(OSError, AttributeError):  # libc: already in the process
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle


def process_memory() -> tuple[int, int]:
    """(mapped address space, resident set) of this process in bytes, from /proc/self/statm;
    (0, 0) where there is none."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            size, resident = f.read().split()[:2]
        page = os.sysconf("SC_PAGE_SIZE")
        return int(size) * page, int(resident) * page
    except (OSError, ValueError):
        return 0, 0


def job_seconds(platform: Platform) -> float:
    return JOB_SECONDS * (CLIP_BUDGET_FACTOR if platform.id in CLIPS else 1)


def budget_failure(platform: Platform, exc: BaseException) -> JobFailure:
    if isinstance(exc, JobBudgetExceeded):
        return JobFailure(f"rendering for {platform.id} took longer than "
                          f"{job_seconds(platform):g} s, "
                          f"the budget of one render; it was stopped",
                          hint="shorten the text, or simplify the logo or photo",
                          timed_out=True)
    return JobFailure(f"rendering for {platform.id} needed more memory than the "
                      f"{JOB_MEMORY_MB:,} MiB a render may use; it was stopped",
                      hint="use a smaller photo or a simpler logo")


def init_worker(renderer: Renderer, token: str | None = None, *, worker: bool = True,
                forked: bool = False) -> None:
    """Pool initializer: fonts and logos are loaded once per process, not per image.

    A worker forked from a parent that warmed `renderer` (pool.py, same `token`) keeps the
    parent's imports, fonts, logos and text caches instead of loading them again.
    """
    global _RENDERER, _IN_WORKER
    warm = token is not None and WARM is not None and WARM[0] == token
    if worker:
        limit_worker(forked=forked or warm)
    _IN_WORKER = worker
    if warm and WARM is not None:
        _RENDERER = WARM[1]
        return
    renderer.setup()
    _RENDERER = renderer


_IN_WORKER = False
WARM: tuple[str, Renderer] | None = None
"""(token, renderer) set up in the parent before a pool forks (pool.py): workers inherit it."""


def run_job(variant: Variant, platform: Platform) -> list[RenderedFile] | JobFailure:
    """Render one job in this process; failures come back as data, never as a crash."""
    assert _RENDERER is not None, "init_worker() was not called"
    try:
        with job_deadline(job_seconds(platform), backstop=_IN_WORKER):
            return _RENDERER.render(variant, platform)
    except (JobBudgetExceeded, MemoryError) as e:
        return budget_failure(platform, e)
    except ShareablesError as e:
        return JobFailure(e.message, e.field, e.line, e.col, e.hint,
                          missing_glyph=isinstance(e, MissingGlyphError))
    except Exception as e:  # noqa: BLE001 - a renderer bug must not stop other designs
        last = traceback.extract_tb(e.__traceback__)[-1]
        return JobFailure(
            f"internal error while rendering for {platform.id}: {type(e).__name__}: {e} "
            f"(at {last.filename.rsplit('/', 1)[-1]}:{last.lineno})",
            hint="please report this with the design file", internal=True)


Result = list[RenderedFile] | JobFailure


def run_group(variant: Variant, platforms: Sequence[Platform]) -> list[Result]:
    """The jobs of one canvas (plan.group_by_canvas): one render when the renderer can share
    it (`render_many`), else one per platform. A failing shared render is retried platform
    by platform, so every platform gets its own message (failures are rare and cached); one
    over its budget fails every platform of the canvas."""
    assert _RENDERER is not None, "init_worker() was not called"
    many = getattr(_RENDERER, "render_many", None)
    if many is not None and len(platforms) > 1:
        try:
            with job_deadline(job_seconds(platforms[0]), backstop=_IN_WORKER):
                files: list[Result] = list(many(variant, platforms))
            return files
        except (JobBudgetExceeded, MemoryError) as e:
            return [budget_failure(p, e) for p in platforms]
        except Exception:  # noqa: BLE001, S110 - retried one by one just below
            pass
    return [run_job(variant, p) for p in platforms]


def timed_group(variant: Variant, platforms: Sequence[Platform]) -> tuple[list[Result], float]:
    """run_group with its render time (shards are balanced by it)."""
    t0 = time.perf_counter()
    results = run_group(variant, platforms)
    return results, time.perf_counter() - t0
