"""The CI workflow an adopter copies (and `shareables init` writes), checked by actionlint."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from shareables.project.ci import LOCK, WORKFLOW, ci_files

REPO = Path(__file__).resolve().parent.parent
FLOW = REPO / ".github/workflows/shareables.yml"


def _actionlint() -> str:
    found = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    if not Path(found).exists():
        pytest.fail("actionlint is missing: make setup installs it (requirements-dev.lock)")
    return found


def _lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_actionlint(), "-no-color", str(path)], capture_output=True,
                          text=True, timeout=60)


def test_actionlint_passes_the_workflow_and_catches_a_broken_copy(tmp_path: Path) -> None:
    ok = _lint(FLOW)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / ".github/workflows/shareables.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(FLOW.read_text().replace("needs: shard", "needs: shards")
                      .replace("${{ matrix.shard }}/3", "${{ matrix.shards }}/3"))
    bad = _lint(broken)
    assert bad.returncode == 1 and "shards" in bad.stdout, bad.stdout


def _flow() -> dict:
    wf = yaml.safe_load(FLOW.read_text())
    wf["on"] = wf.pop(True, wf.get("on"))  # YAML 1.1 reads a bare `on` as true
    return wf


def test_init_writes_this_workflow_and_the_lock(tmp_path: Path) -> None:
    from shareables.project.scaffold import init_project

    assert ci_files()[WORKFLOW] == FLOW.read_text()
    assert ci_files()[LOCK] == (REPO / "requirements.lock").read_text()  # make lock syncs it
    init_project(tmp_path / "org")
    assert (tmp_path / "org" / WORKFLOW).read_text() == FLOW.read_text()
    assert (tmp_path / "org" / LOCK).read_text() == (REPO / "requirements.lock").read_text()


def test_every_action_is_pinned_by_commit_sha() -> None:
    uses = re.findall(r"uses:\s*(\S+)(.*)", FLOW.read_text())
    assert len(uses) >= 8
    for ref, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", ref), ref
        assert re.search(r"#\s*v\d+\.\d+\.\d+", comment), f"{ref}: say which release it is"


def test_every_input_folder_triggers_it_on_pull_requests_and_main() -> None:
    on = _flow()["on"]
    for event in ("pull_request", "push"):
        paths = on[event]["paths"]
        for folder in ("designs/**", "photos/**", "brand/**", "fonts/**", "shareables.yaml",
                       "requirements.txt", "requirements.lock"):
            assert folder in paths, (event, folder)


def test_installs_a_package_with_locked_hashes_never_the_repository_source() -> None:
    text = FLOW.read_text()
    assert "-e ." not in text and "pip install ." not in text
    installs = [s["run"] for job in _flow()["jobs"].values() for s in job["steps"]
                if "pip install" in s.get("run", "")]
    assert len(installs) == 3
    for run in installs:
        assert "--require-hashes -r requirements.lock" in run
        assert "--no-deps -r requirements.txt" in run


def test_pull_requests_render_only_the_change_and_show_it_main_is_sharded_then_merged() -> None:
    jobs = _flow()["jobs"]
    pr = jobs["pull-request"]
    runs = " ".join(s.get("run", "") for s in pr["steps"])
    assert "shareables build --from" in runs and "validate --no-render" in runs
    assert "GITHUB_STEP_SUMMARY" in runs
    upload = next(s for s in pr["steps"] if "upload-artifact" in s.get("uses", ""))
    assert "failure()" not in upload["if"] and "changed/" in upload["with"]["path"]
    shard, merge = jobs["shard"], jobs["merge"]
    n = len(shard["strategy"]["matrix"]["shard"])
    assert merge["needs"] == "shard"
    assert f'/{n}" --run-id' in " ".join(s.get("run", "") for s in shard["steps"])
    assert f"--shards {n}" in " ".join(s.get("run", "") for s in merge["steps"])
    for job in (shard, merge):
        assert job["permissions"]["id-token"] == "write"
        assert any("role-to-assume" in (s.get("with") or {}) for s in job["steps"])


def test_the_lock_pins_every_dependency_of_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]

    def names(path: Path) -> set[str]:
        return {m.lower() for m in re.findall(r"(?m)^([A-Za-z0-9][\w.-]*)==", path.read_text())}

    def norm(req: str) -> str:
        return re.split(r"[<>=!~\[; ]", req, maxsplit=1)[0].lower().replace("_", "-")

    runtime = {norm(r) for r in project["dependencies"]}
    assert runtime <= names(REPO / "requirements.lock"), "run `make lock`"
    test = runtime | {norm(r) for r in project["optional-dependencies"]["test"]}
    assert test <= names(REPO / "requirements-dev.lock"), "run `make lock`"
    assert all("--hash=sha256:" in block for block in
               re.split(r"(?m)^(?=[a-z])", (REPO / "requirements.lock").read_text()) if block)
