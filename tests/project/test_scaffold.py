"""`init` makes a project that validates and builds offline; `new` adds designs and campaigns."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import yaml
from click.testing import CliRunner

from shareables.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_init_validate_build_in_a_fresh_directory(tmp_path: Path):
    target = tmp_path / "madre-shareables"
    result = run("init", str(target), "--brand", "MADRE", "--handle", "madrespeaks",
                 "--campaign", "sudan")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == (
        f"Next: cd {target} && shareables validate && shareables build")
    settings = yaml.safe_load((target / "shareables.yaml").read_text())
    assert settings["brand"]["name"] == "MADRE" and settings["brand"]["handle"] == "@madrespeaks"
    assert "sudan" in settings["themes"]
    assert (target / "requirements.txt").read_text().splitlines()[1].startswith("shareables")
    assert (target / ".github/workflows/shareables.yml").read_text().count("shareables build")
    # Editors validate offline: every design names the schema written into the project by a
    # relative path, and the design validates against that file (no network).
    first = (target / "shareables.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=schemas/settings.schema.json"
    jsonschema.validate(settings, json.loads((target / first.split("=", 1)[1]).read_text()))
    for design in sorted((target / "designs").rglob("*.yaml")):
        line = design.read_text().splitlines()[0]
        m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", line)
        assert m and not m.group(1).startswith("http"), line
        schema = json.loads((design.parent / m.group(1)).read_text())
        jsonschema.validate(yaml.safe_load(design.read_text()), schema)
    assert {p.stem for p in (target / "designs" / "sudan").iterdir()} == {
        "quote", "statement", "tag", "carousel"}
    checked = run("validate", "--project", str(target))
    assert checked.exit_code == 0, checked.output
    assert checked.output.splitlines()[-1] == (
        "Checked 4 designs (4 language variants, 24 platform renders): 0 problems")
    built = run("build", "--project", str(target))
    assert built.exit_code == 0, built.output
    assert (target / "output" / "index.html").is_file()


def test_init_refuses_a_folder_that_is_not_empty_or_already_a_project(tmp_path: Path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("x")
    result = run("init", str(tmp_path / "notes"))
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"{tmp_path}/notes/ is not empty and is not a shareables project; init makes a new "
        "project in a new or empty folder, e.g. `shareables init my-shareables`"]
    assert run("init", str(tmp_path / "p")).exit_code == 0
    again = run("init", str(tmp_path / "p"))
    assert again.exit_code == 2
    assert again.output.splitlines() == [
        f"{tmp_path}/p/shareables.yaml already exists; init only creates new projects; add to "
        "this one with `shareables new campaign NAME` or `shareables new quote CAMPAIGN/ID`"]


def test_new_campaign_and_new_designs(tmp_path: Path):
    project = tmp_path / "p"
    assert run("init", str(project)).exit_code == 0
    made = run("new", "--project", str(project), "campaign", "sudan")
    assert made.exit_code == 0, made.output
    assert made.output.splitlines() == [
        "Created designs/sudan/ and its theme `sudan` in shareables.yaml",
        "Next: put a spreadsheet there, or `shareables new quote sudan/ID`"]
    assert "sudan" in yaml.safe_load((project / "shareables.yaml").read_text())["themes"]
    for kind in ("quote", "statement", "tag", "carousel"):
        result = run("new", "--project", str(project), kind, f"sudan/first-{kind}")
        assert result.output == (f"Created designs/sudan/first-{kind}.yaml: edit it, then "
                                 f"`shareables validate designs/sudan/first-{kind}.yaml`\n")
        text = (project / f"designs/sudan/first-{kind}.yaml").read_text()
        assert text.startswith("# yaml-language-server: $schema=../../schemas/design.schema.json")
        assert yaml.safe_load(text)["kind"] == kind
    checked = run("validate", "--project", str(project), "--no-render")
    assert checked.exit_code == 0, checked.output
    assert checked.output.splitlines()[-1] == "Checked 8 designs (8 language variants): 0 problems"
    dup = run("new", "--project", str(project), "quote", "sudan/first-quote")
    assert (dup.exit_code, dup.output) == (2, "designs/sudan/first-quote.yaml already exists; "
                                              "choose another id, or edit that file\n")
    bad = run("new", "--project", str(project), "quote", "Sudan Quotes")
    assert (bad.exit_code, bad.output) == (
        2, "'Sudan Quotes': 'Sudan Quotes' is not a valid campaign; write CAMPAIGN/ID in "
           "lowercase letters, digits and hyphens, e.g. `shareables new quote sudan/amal-hope`\n")
    again = run("new", "--project", str(project), "campaign", "sudan")
    assert (again.exit_code, again.output) == (
        2, "designs/sudan/ already exists; add designs to it: `shareables new quote sudan/ID`\n")
    outside = run("new", "--project", str(tmp_path), "campaign", "x")
    assert outside.exit_code == 2
    assert outside.output == (f"{tmp_path}/ is not a shareables project (no shareables.yaml); "
                              "run it inside a project, or make one: `shareables init DIR`\n")
