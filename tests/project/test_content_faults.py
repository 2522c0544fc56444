"""Inputs that cannot reach outside, and content that is what it says (issue 14)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures_project import make_project
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from shareables.cli import main
from shareables.errors import ErrorList, RenderError, SettingsError
from shareables.project.design import load_designs
from shareables.project.settings import load_settings


@pytest.fixture(scope="module")
def base_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("content") / "p", platforms=("x",))


@pytest.fixture
def project(base_project: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "p"
    shutil.copytree(base_project, dst)
    return dst


def _errors(project: Path) -> list[str]:
    _, errors = load_designs(project, load_settings(project))
    return [str(e) for e in errors]


@pytest.mark.parametrize(("text", "expect"), [
    ('"\\u200b\\u200d\\u2060"', "only invisible or combining"),
    ('"\\u0301\\u0308"', "only invisible or combining"),
    ('"Hello \\x1b[31mworld"', "control character (U+001B"),
    ('"Hello\\0world"', "control character (U+0000"),
    ('"pay \\u202eereh kcilc"', "bidi control character (U+202E"),
    ('"\\u2066isolated\\u2069"', "bidi control character (U+2066"),
])
def test_invisible_control_and_bidi_text_is_refused(project, text, expect) -> None:
    (project / "designs/palestine/bad.yaml").write_text(
        f"kind: quote\ntext: {text}\nattribution: {{name: Someone}}\n")
    errors = [e for e in _errors(project) if "bad.yaml" in e]
    assert errors and any(expect in e and "bad.yaml:2:" in e and "text:" in e
                          for e in errors), errors


def test_text_with_a_rtl_mark_and_real_words_is_fine(project) -> None:
    (project / "designs/palestine/ok.yaml").write_text(
        'kind: quote\ntext: "\\u200fكلمات حقيقية"\nattribution: {name: Someone}\n')
    assert not [e for e in _errors(project) if "ok.yaml" in e]


def test_a_symlinked_design_outside_the_project_is_refused_without_echoing_it(
        project, tmp_path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("root_password: hunter2\napi_token: abc123\n")
    (project / "designs/palestine/leak.yaml").symlink_to(secret)
    (project / "designs/outside").symlink_to(tmp_path, target_is_directory=True)
    errors = _errors(project)
    joined = "\n".join(errors)
    assert "designs/palestine/leak.yaml" in joined and "outside the project" in joined
    assert "hunter2" not in joined and "root_password" not in joined
    assert "api_token" not in joined and str(tmp_path) + "/secret" not in joined
    r = CliRunner().invoke(main, ["build", "--project", str(project), "-j", "1"])
    assert "root_password" not in r.output and r.exit_code == 1
    assert all(str(tmp_path) not in line for line in (project / "output/manifest.json")
               .read_text().splitlines() if '"source"' in line)


def test_a_symlinked_font_or_photo_outside_the_project_is_refused(project, tmp_path) -> None:
    font = next((project / "fonts").glob("NotoSans-Regular.ttf"))
    outside = tmp_path / "elsewhere.ttf"
    shutil.move(font, outside)
    font.symlink_to(outside)
    with pytest.raises(ErrorList) as info:
        load_settings(project)
    assert "NotoSans-Regular.ttf is a symbolic link to a file outside the project" in str(
        info.value)
    shutil.move(outside, tmp_path / "x")
    font.unlink()
    shutil.copy(tmp_path / "x", font)
    photo = project / "photos/link.png"
    photo.symlink_to(tmp_path / "x")
    (project / "designs/palestine/pic.yaml").write_text(
        "kind: tag\ntext: Share it\nbackground: {image: ../../photos/link.png}\n")
    assert any("symbolic link to a file outside" in e for e in _errors(project))


def test_init_refuses_a_folder_that_is_not_empty(tmp_path) -> None:
    folder = tmp_path / "home"
    folder.mkdir()
    (folder / "taxes.pdf").write_text("mine")
    r = CliRunner().invoke(main, ["init", str(folder)])
    assert r.exit_code == 2 and "is not empty" in r.output and "Traceback" not in r.output
    assert sorted(p.name for p in folder.iterdir()) == ["taxes.pdf"]
    fresh = tmp_path / "repo"
    (fresh / ".git").mkdir(parents=True)
    assert CliRunner().invoke(main, ["init", str(fresh)]).exit_code == 0


# -- arbitrary bytes as a font ----------------------------------------------------------------

@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2048))
@example(data=b"\x00\x01\x00\x00" + b"\x00" * 200)
@example(data=b"OTTO" + bytes(range(256)) * 4)
def test_arbitrary_bytes_as_a_font_give_a_clean_error(base_project, tmp_path_factory,
                                                      data: bytes) -> None:
    from shareables.build.validate import validate_project
    from shareables.build.worker import JobBudgetExceeded, job_deadline

    project = tmp_path_factory.mktemp("font") / "p"
    shutil.copytree(base_project, project, ignore=shutil.ignore_patterns("designs"))
    (project / "designs/x").mkdir(parents=True)
    (project / "designs/x/q.yaml").write_text("kind: tag\ntext: Share it\n")
    target = project / "fonts" / "NotoSans-Regular.ttf"
    os.unlink(target)
    target.write_bytes(data)
    try:
        with job_deadline(20):
            report = validate_project(load_settings(project))
        # A clean error, or a render (the font stack fell back to the next font) in budget.
        assert all(isinstance(e, RenderError) for e in report.errors), report.errors
        assert report.checked == 1
    except (SettingsError, ErrorList) as e:
        assert "NotoSans-Regular.ttf" in str(e)
    except JobBudgetExceeded:  # pragma: no cover
        pytest.fail("validating with a broken font took longer than its budget")


def test_text_too_long_for_any_carousel_is_refused_before_layout(project) -> None:
    words = "solidarity " * 1000  # 11,000 characters: minutes of layout, more than 20 slides
    (project / "designs/palestine/long.yaml").write_text(
        f"kind: carousel\ntitle: Long\ntext: {words.strip()}\n")
    errors = [e for e in _errors(project) if "long.yaml" in e]
    assert any("too long (10,999 characters; the limit is 10,000)" in e for e in errors), errors
