"""shareables.yaml's schema check is skipped for bytes that passed it before (project/
usercache.py): it imported jsonschema, ~40 ms of every command. Anything else is checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_project import make_project

from shareables.errors import ErrorList
from shareables.project import settings as settings_mod
from shareables.project.settings import load_settings


@pytest.fixture
def checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A cache folder of the test's own; returns the files the schema checked, in order."""
    monkeypatch.setenv("SHAREABLES_CACHE_DIR", str(tmp_path / "cache"))
    seen: list[str] = []
    real = settings_mod.schema_errors

    def spy(doc, schema, error):  # type: ignore[no-untyped-def]
        seen.append(doc.file)
        return real(doc, schema, error)

    monkeypatch.setattr(settings_mod, "schema_errors", spy)
    return seen


def test_valid_bytes_are_checked_once_and_an_edit_is_checked_again(
        tmp_path: Path, checks: list[str]) -> None:
    root = make_project(tmp_path / "p")
    first = load_settings(root)
    assert load_settings(root) == first and len(checks) == 1
    settings = root / "shareables.yaml"
    text = settings.read_text()
    settings.write_text(text.replace("brand:", "brand:\n  colour_of_the_day: red", 1))
    with pytest.raises(ErrorList) as bad:
        load_settings(root)
    assert "colour_of_the_day" in str(bad.value) and len(checks) == 2
    with pytest.raises(ErrorList):  # an invalid file is never remembered
        load_settings(root)
    assert len(checks) == 3
    settings.write_text(text)
    assert load_settings(root) == first and len(checks) == 3  # those bytes passed before


def test_an_empty_cache_setting_checks_every_time(
        tmp_path: Path, checks: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHAREABLES_CACHE_DIR", "")
    root = make_project(tmp_path / "p")
    load_settings(root)
    load_settings(root)
    assert len(checks) == 2


def test_an_unwritable_cache_folder_only_means_checking_again(
        tmp_path: Path, checks: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SHAREABLES_CACHE_DIR", str(blocker))
    root = make_project(tmp_path / "p")
    assert load_settings(root) == load_settings(root) and len(checks) == 2


def test_bytes_that_passed_are_checked_again_under_another_schema(
        tmp_path: Path, checks: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The schema names platforms from platforms.py (outside the project stage's code): a
    schema that changed there checks the same bytes again."""
    root = make_project(tmp_path / "p")
    load_settings(root)
    real = settings_mod.settings_schema

    def stricter() -> dict:  # type: ignore[type-arg]
        schema = real()
        schema["properties"]["brand"]["required"] = ["brand_new_key"]
        return schema

    monkeypatch.setattr(settings_mod, "settings_schema", stricter)
    with pytest.raises(ErrorList) as bad:
        load_settings(root)
    assert "brand_new_key" in str(bad.value) and len(checks) == 2


def test_a_save_while_loading_never_lends_its_check_to_the_bytes_parsed(
        tmp_path: Path, checks: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The editor saves valid bytes (checked before) just after the build read invalid
    ones: what was parsed is what must have passed, not what the file holds a moment later."""
    root = make_project(tmp_path / "p")
    settings = root / "shareables.yaml"
    good = settings.read_bytes()
    load_settings(root)  # these bytes are now known valid
    bad = good.replace(b"brand:", b"brand:\n  colour_of_the_day: red", 1)
    settings.write_bytes(bad)
    real = Path.read_bytes

    def read_then_saved(self: Path) -> bytes:
        data = real(self)
        if self.name == "shareables.yaml" and data == bad:
            settings.write_bytes(good)  # the save lands right after this read
        return data

    monkeypatch.setattr(Path, "read_bytes", read_then_saved)
    with pytest.raises(ErrorList) as raised:
        load_settings(root)
    assert "colour_of_the_day" in str(raised.value)

