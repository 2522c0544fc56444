"""What runs inside each build process: render one job, return encoded bytes.

Workers never touch output/ (writer.py in the parent does); they return `RenderedFile`s.
The renderer is pluggable so the build's caching and crash-safety can be tested without
drawing (tests pass a small fake), and so Pillow is imported only when something renders.
"""

from __future__ import annotations

import io
import traceback
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import ShareablesError
from ..platforms import CLIPS, CONTENT_TYPES, EXTENSIONS, Platform, target
from ..project.model import Variant

if TYPE_CHECKING:
    from .plan import Job

THUMB_WIDTH = 400


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
        from .plan import renderer_fingerprint

        return renderer_fingerprint()

    def setup(self) -> None:
        from ..render.resources import Resources

        self._res = Resources()

    def render(self, variant: Variant, platform: Platform) -> list[RenderedFile]:
        from ..render import compose as render
        from ..render import encode

        if self._res is None:
            self.setup()
        if platform.id in CLIPS:
            return self._clip(variant, platform)
        images = render.render_variant(variant, platform, self._res)
        if platform.document:
            data = encode.encode_pdf(images, title=variant.title or variant.design_id,
                                     alt=variant.alt)
            return [RenderedFile("pdf", None, "pdf", CONTENT_TYPES["pdf"], data,
                                 platform.width, platform.height)]
        # A carousel on a single-image platform (a link preview) is its cover alone: one
        # image, named like any other single image. Stories keep their sequence of frames.
        carousel = variant.kind == "carousel" and (
            platform.carousel_limit is not None or len(images) > 1)
        photo = variant.background.image is not None
        out: list[RenderedFile] = []
        for i, img in enumerate(images, start=1):
            slide = i if carousel else None
            enc = encode.encode_image(img, platform, alt=variant.alt, photo=photo)
            notes = [*img.info.get("shareables", {}).get("notes", []), *enc.notes]
            out.append(RenderedFile("slide" if carousel else "image", slide, enc.ext,
                                    enc.content_type, enc.data, img.width, img.height,
                                    tuple(dict.fromkeys(notes))))
            out.append(thumbnail(img, slide))
        return out


    def _clip(self, variant: Variant, platform: Platform) -> list[RenderedFile]:
        """The MP4 (validated against its profile), its poster and its WebVTT captions."""
        from ..motion.clip import render_clip

        clip = render_clip(variant, platform.id, self._res)
        w, h = platform.width, platform.height
        poster = thumbnail(clip.poster, None)
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


def thumbnail(img: Any, slide: int | None) -> RenderedFile:
    """A ~400 px wide JPEG preview for the download page (deterministic: no metadata)."""
    from PIL import Image

    height = max(1, round(img.height * THUMB_WIDTH / img.width))
    small = img.convert("RGB").resize((THUMB_WIDTH, height), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=82, optimize=True, progressive=True)
    return RenderedFile("thumbnail", slide, EXTENSIONS["jpeg"], CONTENT_TYPES["jpeg"],
                        buf.getvalue(), THUMB_WIDTH, height)


@dataclass(frozen=True)
class JobFailure:
    """A picklable ShareablesError (exceptions with keyword-only fields don't unpickle)."""

    message: str
    field: str | None = None
    line: int | None = None
    col: int | str | None = None  # a spreadsheet's column header
    hint: str | None = None
    internal: bool = False


_RENDERER: Renderer | None = None


def init_worker(renderer: Renderer) -> None:
    """Pool initializer: fonts and logos are loaded once per process, not per image."""
    global _RENDERER
    renderer.setup()
    _RENDERER = renderer


def run_job(variant: Variant, platform: Platform) -> list[RenderedFile] | JobFailure:
    """Render one job in this process; failures come back as data, never as a crash."""
    assert _RENDERER is not None, "init_worker() was not called"
    try:
        return _RENDERER.render(variant, platform)
    except ShareablesError as e:
        return JobFailure(e.message, e.field, e.line, e.col, e.hint)
    except Exception as e:  # noqa: BLE001 - a renderer bug must not stop other designs
        last = traceback.extract_tb(e.__traceback__)[-1]
        return JobFailure(
            f"internal error while rendering for {platform.id}: {type(e).__name__}: {e} "
            f"(at {last.filename.rsplit('/', 1)[-1]}:{last.lineno})",
            hint="please report this with the design file", internal=True)


def run_jobs(jobs: list[Job], renderer: Renderer, workers: int,
             handle: Callable[[Job, list[RenderedFile] | JobFailure], None]) -> None:
    """Run jobs in `workers` processes (in this process for one); results in completion order.

    At most a few jobs per worker are in flight, so finished bytes are written (and freed)
    as they arrive instead of piling up in the parent.
    """
    if workers <= 1:
        init_worker(renderer)
        for job in jobs:
            handle(job, run_job(job.variant, target(job.platform)))
        return
    queue = iter(jobs)
    inflight: dict[Future[Any], Job] = {}
    with ProcessPoolExecutor(workers, initializer=init_worker, initargs=(renderer,)) as pool:

        def submit() -> None:
            job = next(queue, None)
            if job is not None:
                inflight[pool.submit(run_job, job.variant, target(job.platform))] = job

        for _ in range(workers * 3):
            submit()
        while inflight:
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
            for fut in done:
                job = inflight.pop(fut)
                try:
                    result = fut.result()
                except Exception as e:  # noqa: BLE001 - a worker died (e.g. out of memory)
                    result = JobFailure(f"the render process failed: {type(e).__name__}: {e}",
                                        internal=True)
                handle(job, result)
                try:
                    submit()
                except Exception as e:  # noqa: BLE001 - pool broken: fail what is left
                    for rest in queue:
                        handle(rest, JobFailure(f"the render processes stopped: {e}",
                                                internal=True))
