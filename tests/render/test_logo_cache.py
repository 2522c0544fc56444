"""The rasterised-logo cache: the same pixels as CairoSVG's, keyed by everything they depend
on, ignored when broken, and the checks still run on a cached logo."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import ImageChops

from shareables.errors import RenderError
from shareables.render import svg

REPO = Path(__file__).resolve().parents[2]
LOGO = REPO / "brand" / "logo.svg"


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("SHAREABLES_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "logos"


def _same(a, b) -> bool:
    return a.mode == b.mode and a.size == b.size and ImageChops.difference(a, b).getbbox() is None


def test_a_cached_logo_has_exactly_cairosvgs_pixels(cache, monkeypatch) -> None:
    monkeypatch.setenv("SHAREABLES_CACHE_DIR", "")  # off: CairoSVG every time
    drawn = svg.rasterize_svg(LOGO, 48, "#ffffff")
    assert not cache.exists()
    monkeypatch.setenv("SHAREABLES_CACHE_DIR", str(cache.parent))
    first = svg.rasterize_svg(LOGO, 48, "#ffffff")  # drawn and kept
    assert len(list(cache.glob("*.png"))) == 1
    again = svg.rasterize_svg(LOGO, 48, "#ffffff")  # read back
    assert _same(drawn, first) and _same(drawn, again)
    # another height or colour is another file
    svg.rasterize_svg(LOGO, 49, "#ffffff")
    svg.rasterize_svg(LOGO, 48, "#000000")
    assert len(list(cache.glob("*.png"))) == 3


def test_a_cached_logo_is_read_without_importing_cairosvg(cache) -> None:
    code = ("import sys; from pathlib import Path; from shareables.render import svg; "
            f"img = svg.rasterize_svg(Path({str(LOGO)!r}), 40, '#ffffff'); "
            "print(img.size, 'cairosvg' in sys.modules)")
    env = {"SHAREABLES_CACHE_DIR": str(cache.parent), "PATH": "/usr/bin:/bin"}
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True).stdout.split() for _ in range(2)]
    assert runs[0][-1] == "True" and runs[1][-1] == "False"
    assert runs[0][:-1] == runs[1][:-1]


def test_a_broken_cache_file_is_drawn_again(cache) -> None:
    good = svg.rasterize_svg(LOGO, 40, "#ffffff")
    (file,) = cache.glob("*.png")
    file.write_bytes(file.read_bytes()[:100])  # truncated
    assert _same(svg.rasterize_svg(LOGO, 40, "#ffffff"), good)
    assert len(file.read_bytes()) > 100  # rewritten


def test_an_edited_logo_is_not_served_from_the_cache(cache, tmp_path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10">'
                    '<rect width="20" height="10" fill="#ff0000"/></svg>')
    red = svg.rasterize_svg(logo, 10, "#ffffff")
    logo.write_text(logo.read_text().replace("#ff0000", "#0000ff"))
    blue = svg.rasterize_svg(logo, 10, "#ffffff")
    assert red.getpixel((5, 5)) == (255, 0, 0, 255) and blue.getpixel((5, 5)) == (0, 0, 255, 255)


def test_checks_still_run_when_the_cache_is_warm(cache, tmp_path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10">'
                    '<rect width="20" height="10"/></svg>')
    svg.rasterize_svg(logo, 10, "#ffffff")
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10">'
                    '<image href="file:///etc/passwd"/></svg>')
    with pytest.raises(RenderError, match="references something outside itself"):
        svg.rasterize_svg(logo, 10, "#ffffff")


def test_an_unwritable_cache_only_costs_time(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SHAREABLES_CACHE_DIR", str(blocker))
    assert svg.rasterize_svg(LOGO, 30, "#ffffff").height == 30
