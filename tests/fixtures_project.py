"""Fixtures: a small real project on disk, and a fast stand-in renderer for build tests.

`project` copies the repository's shareables.yaml, logo, the fonts it names and three of the
organisation's designs into tmp_path (plus a photo design), with a short platform list so
real renders stay quick. `FakeRenderer` produces deterministic bytes from everything a real
render depends on, so caching, crash-safety and bundling tests run without drawing.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from shareables.build import early, pool
from shareables.build.pipeline import BuildResult, build_project
from shareables.build.worker import RenderedFile
from shareables.errors import RenderError
from shareables.platforms import Platform
from shareables.project.model import Variant

REPO = Path(__file__).resolve().parent.parent
DESIGNS = (
    "palestine/share-palestine.yaml",  # tag
    "palestine/darwish-on-this-earth.yaml",  # quote, en + ar
    "afghanistan/gender-persecution.yaml",  # statement
)
PLATFORMS = ("instagram-square", "x", "linkedin-document")

PHOTO_DESIGN = """\
kind: statement
text: Women human rights defenders keep their communities alive.
background:
  image: ../../photos/rally.png
  credit: "Photo: test fixture"
  alt: Women at a rally holding placards
caption: Stand with women human rights defenders. @madrespeaks
"""

CAROUSEL_DESIGN = """\
kind: carousel
title: Three things to know
slides:
  - One.
  - Two.
  - Three.
caption: A short carousel. @madrespeaks
"""


NUMBERED_QUOTE = """\
kind: quote
lang: {lang}
text: "Words number {n}."
attribution: {{name: Speaker {n}}}
caption: Caption {n}. @madrespeaks
"""
"""A quote design to fill a campaign with (`.format(n=…, lang=…)`)."""


def build_fake(project: Path, **kw: Any) -> BuildResult:
    """`build_project` with the FakeRenderer, in this process, unless told otherwise."""
    kw.setdefault("renderer", FakeRenderer())
    kw.setdefault("jobs", 1)
    return build_project(project, **kw)


def make_project(root: Path, platforms: tuple[str, ...] = PLATFORMS) -> Path:
    """Write a small project into `root` and return it."""
    root.mkdir(parents=True, exist_ok=True)
    settings = (REPO / "shareables.yaml").read_text()
    settings = re.sub(r"^platforms:.*?(?=^\S)", f"platforms: [{', '.join(platforms)}]\n\n",
                      settings, flags=re.S | re.M)
    (root / "shareables.yaml").write_text(settings)
    (root / "brand").mkdir()
    shutil.copy(REPO / "brand" / "logo.svg", root / "brand" / "logo.svg")
    (root / "fonts").mkdir()
    for name in sorted(set(re.findall(r"[\w-]+\.(?:ttf|otf)", settings))):
        shutil.copy(REPO / "fonts" / name, root / "fonts" / name)
    for rel in DESIGNS:
        dst = root / "designs" / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "designs" / rel, dst)
    (root / "photos").mkdir()
    write_photo(root / "photos" / "rally.png", (90, 40, 110))
    (root / "designs" / "afghanistan" / "defenders.yaml").write_text(PHOTO_DESIGN)
    (root / "designs" / "afghanistan" / "three-things.yaml").write_text(CAROUSEL_DESIGN)
    return root


def write_photo(path: Path, color: tuple[int, int, int]) -> None:
    from PIL import Image

    Image.new("RGB", (1600, 1600), color).save(path)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small real project (settings, logo, fonts, five designs) in tmp_path/project."""
    return make_project(tmp_path / "project")


class FakeRenderer:
    """Stand-in renderer: bytes are a hash of the variant (with file contents) and platform.

    Text containing FAIL-RENDER raises a RenderError on the field `text`, like a real
    renderer for text that does not fit. `delay` slows each job (for kill tests).
    """

    def __init__(self, delay: float = 0.0, tag: str = "fake-1") -> None:
        self.delay = delay
        self.tag = tag

    def fingerprint(self) -> str:
        return self.tag

    def setup(self) -> None:
        pass

    def render(self, variant: Variant, platform: Platform) -> list[RenderedFile]:
        from shareables.build.keys import FileHasher, platform_digest, variant_digest

        if self.delay:
            time.sleep(self.delay)
        if "FAIL-RENDER" in (variant.text or ""):
            raise RenderError(f"{platform.id}: the text does not fit; cut about 12 characters",
                              field="text")
        seed = hashlib.sha256((self.tag + variant_digest(variant, FileHasher())
                               + platform_digest(platform)).encode()).hexdigest()
        if platform.document:
            return [RenderedFile("pdf", None, "pdf", "application/pdf",
                                 b"%PDF-fake " + seed.encode(), platform.width, platform.height)]
        count = (len(variant.slides) + 2 if variant.slides else 3) \
            if variant.kind == "carousel" else 1
        ext = "png" if "png" in platform.formats else "jpg"
        out = []
        for i in range(1, count + 1):
            slide = i if variant.kind == "carousel" else None
            data = f"{ext}:{seed}:{i}".encode() * 50
            out.append(RenderedFile("slide" if slide else "image", slide, ext, f"image/{ext}",
                                    data, platform.width, platform.height))
            out.append(RenderedFile("thumbnail", slide, "jpg", "image/jpeg",
                                    b"thumb:" + data[:64], 400, 400))
        return out

class LogRenderer(FakeRenderer):
    """Logs each render (process, variant, platform) to a file: workers are other processes."""

    def __init__(self, log: Path) -> None:
        super().__init__()
        self.log = log

    def render(self, variant: Any, platform: Any) -> Any:
        with open(self.log, "a") as f:
            f.write(f"{os.getpid()} {variant.key} {platform.id}\n")
        return super().render(variant, platform)



def small_scaffold(root: Path, platforms: Sequence[str] = ("instagram-square", "x")) -> Path:
    """`shareables init`, two designs on two platforms (quick to render for real)."""
    from click.testing import CliRunner

    from shareables.cli import main

    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    for name in ("carousel", "statement"):
        (root / "designs/example" / f"{name}.yaml").unlink()
    settings = root / "shareables.yaml"
    settings.write_text(re.sub(r"(?m)^platforms: .*$", f"platforms: [{', '.join(platforms)}]",
                               settings.read_text()))
    return root


@pytest.fixture
def early_pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every project counts as large (early.EARLY_MANIFEST_BYTES); returns the number of
    canvases handed to each early pool started (pool.EarlyPool), in order."""
    monkeypatch.setattr(early, "EARLY_MANIFEST_BYTES", 0)
    sizes: list[int] = []
    real = pool.EarlyPool.__init__

    def init(self: pool.EarlyPool, renderer: Any, workers: int, groups: Any, **kw: Any) -> None:
        sizes.append(len(groups))
        real(self, renderer, workers, groups, **kw)

    monkeypatch.setattr(pool.EarlyPool, "__init__", init)
    return sizes
