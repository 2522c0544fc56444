"""The thin CLI: help, platforms, schema, init."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml
from click.testing import CliRunner

from shareables.cli import main
from shareables.platforms import PLATFORMS

REPO = Path(__file__).resolve().parent.parent


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_help_lists_every_command():
    result = run("--help")
    assert result.exit_code == 0
    for command in ("init", "validate", "platforms", "schema"):
        assert f"  {command} " in result.output


def test_platforms_prints_the_table():
    result = run("platforms")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    for pid, p in PLATFORMS.items():
        row = next(line for line in lines if line.startswith(pid))
        assert f"{p.width}×{p.height}" in row
    assert "instagram-story*" in result.output
    assert "65,270,1015,1536" in result.output  # story safe area


def test_schema_validates_every_shipped_design_and_the_settings():
    schema = json.loads(run("schema").output)
    jsonschema.Draft202012Validator.check_schema(schema)
    designs = sorted((REPO / "designs").rglob("*.yaml"))
    assert len(designs) >= 10
    for path in designs:
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)
    settings_schema = json.loads(run("schema", "--settings").output)
    jsonschema.validate(yaml.safe_load((REPO / "shareables.yaml").read_text()), settings_schema)


def test_schema_rejects_what_validate_rejects():
    schema = json.loads(run("schema").output)
    bad = {"kind": "quote", "text": "Words"}  # a quote needs attribution
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad))


def test_committed_schemas_are_current():
    """Editors point at schemas/*.json; they must match what the code enforces."""
    assert json.loads((REPO / "schemas/design.schema.json").read_text()) == json.loads(
        run("schema").output)
    assert json.loads((REPO / "schemas/settings.schema.json").read_text()) == json.loads(
        run("schema", "--settings").output)


def test_init_scaffolds_a_valid_project_and_never_overwrites(tmp_path: Path):
    target = tmp_path / "campaign"
    result = run("init", str(target))
    assert result.exit_code == 0, result.output
    kinds = {yaml.safe_load(p.read_text())["kind"] for p in (target / "designs").rglob("*.yaml")}
    assert kinds == {"quote", "statement", "tag", "carousel"}
    assert (target / "fonts" / "NotoSans-Regular.ttf").is_file()
    assert any(p.name.startswith("LICENSE") for p in (target / "fonts").iterdir())
    checked = run("validate", "--project", str(target))
    assert checked.exit_code == 0, checked.output
    again = run("init", str(target))
    assert again.exit_code == 2
    assert "already exists" in again.output
