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
    for command in ("init", "new", "import", "validate", "build", "serve", "publish",
                    "platforms", "schema"):
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


def test_publish_dry_run_without_credentials_reads_the_public_manifest(
        s3_server, s3_bucket, s3_env, make_output, project: Path, tmp_path: Path, monkeypatch):
    """A laptop with no S3 keys still sees what a publish would do (public read over HTTP)."""
    import re

    from shareables.publish.protocol import Reporter, publish
    from shareables.publish.s3 import Target

    endpoint = s3_server.endpoint
    public = f"{endpoint}/{s3_bucket}/site/"
    settings = (project / "shareables.yaml").read_text()
    settings = re.sub(r"^publish:.*\Z", f"publish:\n  bucket: {s3_bucket}\n  prefix: site/\n"
                      f"  endpoint_url: {endpoint}\n  public_url: {public}\n", settings,
                      flags=re.S | re.M)
    (project / "shareables.yaml").write_text(settings)
    make_output({"alpha": "First"})
    target = Target(bucket=s3_bucket, prefix="site/", endpoint_url=endpoint, public_url=public)
    publish(tmp_path / "output", target, reporter=Reporter(lambda _m: None, tty=False))
    make_output({"alpha": "First", "beta": "Second"})  # one design added since

    for name in list(s3_env):
        monkeypatch.delenv(name)
    for name, value in (("AWS_CONFIG_FILE", "/dev/null"),
                        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
                        ("AWS_EC2_METADATA_DISABLED", "true")):
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["publish", "--project", str(project), "--dry-run",
                                       "--output", str(tmp_path / "output")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (f"no S3 credentials: planned against {public}manifest.json (public "
                        "read; prunes are not planned)")
    uploads = [ln for ln in lines if ln.startswith("  upload ")]
    assert uploads and all("beta" in ln for ln in uploads), lines  # alpha is already live
    assert any(ln.startswith("  switch manifests/<build-id>.json, manifest.json, index.html")
               for ln in lines), lines
    assert re.fullmatch(r"\d+ to upload \(.+\), \d+ already published, 0 to delete \(0 B\), 0 "
                        r"unreferenced kept within the grace period", lines[-1]), lines
    assert " already published" in lines[-1] and not lines[-1].split(" to upload")[1].startswith(
        " (0 B), 0 already")

    without = CliRunner().invoke(main, ["publish", "--project", str(project), "--dry-run",
                                        "--output", str(tmp_path / "output"), "--bucket",
                                        "elsewhere"])
    assert without.exit_code == 2
    assert without.output.splitlines() == [
        "publish.public_url: no S3 credentials found; set AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, or set publish.public_url so --dry-run can read the published "
        "manifest without them"]


def test_serve_takes_a_free_port_when_the_default_is_busy_and_says_which(tmp_path: Path):
    import socket
    import urllib.request

    from shareables.errors import ShareablesError
    from shareables.local.serve import Preview

    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "index.html").write_text("<!doctype html><title>x</title>")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        logs: list[str] = []
        with Preview(tmp_path / "output", port=busy, any_free=True, log=logs.append) as preview:
            port = preview.httpd.server_address[1]
            assert port != busy
            assert logs == [f"port {busy} is busy (another preview or program uses it); using "
                            f"port {port} instead"]
            with urllib.request.urlopen(preview.url + "index.html", timeout=10) as r:
                assert r.status == 200
        try:  # an explicit --port is a promise: busy stays an error
            Preview(tmp_path / "output", port=busy)
            raise AssertionError("a busy explicit port must fail")
        except ShareablesError as e:
            assert str(e).startswith(f"cannot listen on 127.0.0.1:{busy} (")


def test_validate_reports_progress_per_design_and_warnings_in_json(project: Path):
    from shareables.build.validate import validate_project
    from shareables.project.settings import load_settings

    (project / "designs/palestine/w.yaml").write_text(
        "kind: quote\ntext: Hi\nattribution: {name: A}\ncaption: Share #Gaza now\n")
    seen: list[tuple[int, int, str]] = []
    report = validate_project(load_settings(project), render=False,
                              progress=lambda done, total, d: seen.append((done, total, d.rel)))
    assert len(report.warnings) == 1
    assert [s[:2] for s in seen] == [(i, len(seen)) for i in range(1, len(seen) + 1)]
    assert len(seen) == 6 and "designs/palestine/w.yaml" in {s[2] for s in seen}
    result = run("validate", "--project", str(project), "--no-render", "--format", "json")
    data = json.loads(result.output)
    assert [w["text"] for w in data["warnings"]] == [
        'designs/palestine/w.yaml:4:16: caption: everything from "#Gaza now" on is read as a '
        'comment and left out of the text; put the whole value in quotes: caption: "Share #Gaza '
        'now"']
    assert result.exit_code == 0  # a warning never fails validate
