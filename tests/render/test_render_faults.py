"""Hostile images, logos and fonts: a clean error or a render within the budget, never a
traceback, never Ghostscript, never a hang."""

from __future__ import annotations

import base64
import gzip
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from shareables.build.worker import JobBudgetExceeded, job_deadline
from shareables.errors import RenderError
from shareables.render import paint as P
from shareables.render import svg

EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n{ } loop\n"
SVG_HEAD = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
            b' width="10" height="10">')


def _svg(tmp_path: Path, body: bytes, name: str = "logo.svg") -> Path:
    path = tmp_path / name
    path.write_bytes(body)
    return path


def test_a_postscript_file_named_jpg_is_refused_by_content(tmp_path) -> None:
    photo = tmp_path / "rally.jpg"
    photo.write_bytes(EPS)
    with pytest.raises(RenderError, match="not a JPEG, PNG, WebP or GIF"):
        P.load_photo(photo, Path("designs/a/b.yaml"), 100, 100)


def test_postscript_inside_an_svg_data_uri_is_refused(tmp_path) -> None:
    logo = _svg(tmp_path, SVG_HEAD + b'<image width="10" height="10" xlink:href="data:image/jpeg;'
                b'base64,' + base64.b64encode(EPS) + b'"/></svg>')
    with pytest.raises(RenderError, match="not a JPEG, PNG, WebP or GIF") as info:
        svg.rasterize_svg(logo, 40, "#ffffff")
    assert info.value.file == str(logo)


def test_a_png_inside_an_svg_still_draws(tmp_path) -> None:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (255, 0, 0)).save(buf, "PNG")
    logo = _svg(tmp_path, SVG_HEAD + b'<image width="10" height="10" xlink:href="data:image/png;'
                b'base64,' + base64.b64encode(buf.getvalue()) + b'"/></svg>')
    img = svg.rasterize_svg(logo, 40, "#ffffff")
    assert img.getpixel((20, 20))[:3] == (255, 0, 0)


def test_a_gzip_bomb_logo_is_refused_while_decompressing(tmp_path) -> None:
    bomb = gzip.compress(SVG_HEAD + b" " * 60_000_000 + b"</svg>")
    assert len(bomb) < 200_000
    with pytest.raises(RenderError, match="too large"):
        svg.rasterize_svg(_svg(tmp_path, bomb, "logo.svgz"), 40, "#ffffff")


def test_exponential_use_expansion_is_refused_before_cairosvg(tmp_path) -> None:
    parts = [SVG_HEAD, b'<defs><rect id="a0" width="1" height="1"/>']
    for i in range(1, 30):
        parts.append(f'<g id="a{i}"><use xlink:href="#a{i - 1}"/>'
                     f'<use xlink:href="#a{i - 1}"/></g>'.encode())
    parts.append(b'</defs><use xlink:href="#a29"/></svg>')
    data = b"".join(parts)
    assert len(data) < 2100  # a 2 kB file that would draw 2^29 rectangles
    with pytest.raises(RenderError, match="expands to over"):
        svg.rasterize_svg(_svg(tmp_path, data), 40, "#ffffff")


def test_too_many_elements_and_use_loops_are_refused(tmp_path) -> None:
    many = SVG_HEAD + b"<rect/>" * (svg.SVG_MAX_ELEMENTS + 1) + b"</svg>"
    with pytest.raises(RenderError, match="elements"):
        svg.rasterize_svg(_svg(tmp_path, many), 40, "#ffffff")
    loop = SVG_HEAD + b'<g id="x"><use xlink:href="#x"/></g></svg>'
    with pytest.raises(RenderError, match="loop"):
        svg.rasterize_svg(_svg(tmp_path, loop, "loop.svg"), 40, "#ffffff")


def test_a_16_bit_greyscale_photo_keeps_its_tones(tmp_path) -> None:
    grey = Image.new("I;16", (256, 8))
    grey.putdata([x * 257 for _ in range(8) for x in range(256)])
    path = tmp_path / "grey16.png"
    grey.save(path)
    assert Image.open(path).mode.startswith("I")
    img = P.load_photo(path, Path("designs/a/b.yaml"), 10, 10)
    assert img.mode == "RGB"
    assert img.getpixel((0, 0)) == (0, 0, 0)
    assert abs(img.getpixel((128, 4))[0] - 128) <= 1  # was 255: clipped, not scaled
    assert img.getpixel((255, 4)) == (255, 255, 255)


# -- arbitrary bytes --------------------------------------------------------------------------

BUDGET = 10.0
_settings = settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])


def _bounded(call) -> None:  # noqa: ANN001
    try:
        with job_deadline(BUDGET):
            call()
    except RenderError:
        pass
    except JobBudgetExceeded:  # pragma: no cover - the failure this test exists to find
        pytest.fail(f"took longer than the {BUDGET} s budget")


@_settings
@given(data=st.binary(max_size=4096))
@example(data=EPS)
@example(data=b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
@example(data=b"\xff\xd8\xff\xe0" + b"\x00" * 64)
@example(data=b"GIF89a\xff\xff\xff\xff")
def test_arbitrary_bytes_as_a_photo(tmp_path, data: bytes) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)
    _bounded(lambda: P.load_photo(path, Path("designs/a/b.yaml"), 200, 200))


@_settings
@given(data=st.one_of(st.binary(max_size=2048),
                      st.builds(lambda b: SVG_HEAD + b + b"</svg>", st.binary(max_size=512)),
                      st.builds(lambda t: SVG_HEAD + t.encode() + b"</svg>",
                                st.text(alphabet="<>/=\"# aguserctidxlink:href", max_size=300))))
@example(data=gzip.compress(b"<svg/>"))
@example(data=b"\x1f\x8b\x08\x00garbage")
def test_arbitrary_bytes_as_a_logo(tmp_path, data: bytes) -> None:
    path = tmp_path / "logo.svg"
    path.write_bytes(data)
    _bounded(lambda: svg.rasterize_svg(path, 60, "#ffffff"))
