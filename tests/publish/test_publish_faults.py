"""Publish under faults, against the real SeaweedFS, with a fault-injecting proxy where a
network fault is needed (tests/publish/fault_proxy.py). One test per root cause of issue 14."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fault_proxy import FaultProxy
from fixtures_project import FakeRenderer, make_project

from shareables.cli import main
from shareables.errors import PublishError
from shareables.local.seaweed import SeaweedServer, http_get
from shareables.publish import lock as lock_mod
from shareables.publish import protocol
from shareables.publish.plan import LOCK_KEY
from shareables.publish.protocol import Reporter, Target, make_client, publish, publish_project


def _target(endpoint: str, bucket: str, prefix: str = "site/") -> Target:
    return Target(bucket=bucket, prefix=prefix, endpoint_url=endpoint)


def _publish(out: Path, target: Target, **kwargs: Any) -> tuple[Any, list[str]]:
    lines: list[str] = []
    client = make_client(target, attempts=1, jobs=2)
    result = publish(out, target, client=client, reporter=Reporter(lines.append, tty=False),
                     **kwargs)
    return result, lines


def _live(target: Target, rel: str) -> tuple[int, bytes]:
    status, _, body = http_get(target.base_url() + rel)
    return status, body


@pytest.fixture
def proxy(s3_server: SeaweedServer) -> Any:
    p = FaultProxy(s3_server.endpoint).start()
    yield p
    p.stop()


# -- 1. the live page converges on the truth ---------------------------------------------------


def test_a_publish_that_died_before_the_index_is_repaired_by_the_next_run(
        s3_server, s3_bucket, s3_env, make_output, proxy, tmp_path) -> None:
    out = tmp_path / "output"
    make_output({"a": "one"})
    _publish(out, _target(proxy.endpoint, s3_bucket))
    old_page = _live(_target(s3_server.endpoint, s3_bucket), "index.html")[1]

    make_output({"a": "one", "b": "two"})
    proxy.fail("PUT", "/site/index.html", 500)  # manifest.json lands, the page does not
    with pytest.raises(PublishError):
        _publish(out, _target(proxy.endpoint, s3_bucket))
    target = _target(s3_server.endpoint, s3_bucket)
    assert _live(target, "index.html")[1] == old_page

    proxy.clear()  # the network is back: the same publisher runs again
    result, lines = _publish(out, _target(proxy.endpoint, s3_bucket))
    assert result.switched and not result.plan.up_to_date, lines
    assert "index.html" in result.plan.switch_reason
    page = _live(target, "index.html")[1]
    assert page != old_page and hashlib.sha256(page).hexdigest() == json.loads(
        _live(target, "manifest.json")[1])["published"]["index_sha256"]


def test_a_deleted_or_defaced_live_page_is_rewritten(s3_server, s3_bucket, s3_env, make_output,
                                                    tmp_path) -> None:
    out = tmp_path / "output"
    make_output({"a": "one"})
    target = _target(s3_server.endpoint, s3_bucket)
    _publish(out, target)
    good = _live(target, "index.html")[1]
    client = s3_server.client()
    client.delete_object(Bucket=s3_bucket, Key="site/index.html")
    result, _ = _publish(out, target)
    assert "missing" in result.plan.switch_reason and _live(target, "index.html")[1] == good

    client.put_object(Bucket=s3_bucket, Key="site/index.html", Body=b"<h1>defaced</h1>",
                      Metadata={"sha256": hashlib.sha256(good).hexdigest()})  # even lying
    result, _ = _publish(out, target)
    assert "differs" in result.plan.switch_reason and _live(target, "index.html")[1] == good
    again, lines = _publish(out, target)
    assert again.plan.up_to_date, lines


# -- 2. an incomplete manifest or a running build is never published ----------------------------


def test_an_incomplete_manifest_is_refused(s3_server, s3_bucket, s3_env, make_output,
                                           tmp_path) -> None:
    from shareables.build.writer import OutputWriter

    out = tmp_path / "output"
    manifest = make_output({"a": "one", "b": "two", "c": "three"})
    target = _target(s3_server.endpoint, s3_bucket)
    _publish(out, target)
    live = _live(target, "manifest.json")[1]
    # What a build killed mid-way leaves: the writer unlisted what it was re-rendering.
    with OutputWriter(out) as w:
        w.expect_rewrites(a["path"] for a in manifest["artefacts"] if a["design"] != "a")
        path = next(a["path"] for a in manifest["artefacts"] if a["design"] == "b")
        w.write(path, b"half a build", owner="designs/test/b.yaml")
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk["incomplete"] is True and len(on_disk["artefacts"]) < len(
        manifest["artefacts"])
    with pytest.raises(PublishError, match="incomplete"):
        _publish(out, target)
    assert _live(target, "manifest.json")[1] == live


def test_a_build_in_progress_blocks_publishing(s3_server, s3_bucket, s3_env, make_output,
                                               tmp_path) -> None:
    out = tmp_path / "output"
    make_output({"a": "one"})
    (out / ".shareables").mkdir(exist_ok=True)
    fd = os.open(out / ".shareables" / "lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # what OutputWriter holds while a build writes
    try:
        with pytest.raises(PublishError, match="a build is writing"):
            _publish(out, _target(s3_server.endpoint, s3_bucket))
    finally:
        os.close(fd)
    assert _live(_target(s3_server.endpoint, s3_bucket), "index.html")[0] in (403, 404)


# -- 3. a broken design keeps its published version on a fresh checkout -------------------------


def test_fresh_checkout_keeps_a_broken_designs_live_variant(s3_server, s3_bucket, s3_env,
                                                             tmp_path) -> None:
    from shareables.project.settings import load_settings

    project = make_project(tmp_path / "p", platforms=("instagram-square",))
    settings = load_settings(project)

    def run() -> Any:
        return publish_project(settings, build_first=True, bucket=s3_bucket, prefix="ci/",
                               endpoint_url=s3_server.endpoint,
                               build_options={"renderer": FakeRenderer()},
                               reporter=Reporter(lambda _: None, tty=False))

    assert run().build_exit_code == 0
    target = _target(s3_server.endpoint, s3_bucket, "ci/")
    before = json.loads(_live(target, "manifest.json")[1])
    design = before["variants"][0]
    shutil.rmtree(project / "output")  # a fresh CI checkout
    (project / design["source"]).write_text("kind: quote\ntext: [unclosed\n")
    result = run()
    assert result.build_exit_code == 1
    after = json.loads(_live(target, "manifest.json")[1])
    kept = [v for v in after["variants"] if v["design"] == design["design"]]
    assert kept and kept[0]["source_hash"] == design["source_hash"]
    page = _live(target, "index.html")[1].decode()
    assert design["design"] in page


# -- 7. a corrupt remote manifest never blocks publishing ----------------------------------------


@pytest.mark.parametrize("where", ["manifest.json", "manifests/zzz.json"])
def test_a_corrupt_remote_manifest_is_treated_as_absent(s3_server, s3_bucket, s3_env,
                                                         make_output, tmp_path, where) -> None:
    out = tmp_path / "output"
    make_output({"a": "one"})
    target = _target(s3_server.endpoint, s3_bucket)
    _publish(out, target)
    s3_server.client().put_object(Bucket=s3_bucket, Key=f"site/{where}", Body=b"{not json")
    make_output({"a": "one", "b": "two"})
    result, lines = _publish(out, target)
    assert result.switched
    if where == "manifest.json":
        assert any("treated as absent" in line for line in lines), lines
    assert json.loads(_live(target, "manifest.json")[1])["build_id"] == result.plan.manifest[
        "build_id"]


# -- 8. clocks, older builds, tampered manifests ------------------------------------------------


def test_object_ages_come_from_the_server_clock_not_ours(s3_server, s3_bucket, s3_env,
                                                         make_output, tmp_path,
                                                         monkeypatch) -> None:
    out = tmp_path / "output"
    target = _target(s3_server.endpoint, s3_bucket)
    make_output({"a": "one"})
    _publish(out, target)
    make_output({"a": "edited"})  # the first build's objects are now unreferenced
    _publish(out, target)
    make_output({"a": "edited again"})
    real = lock_mod.now_utc
    monkeypatch.setattr(protocol, "now_utc", lambda: real() + timedelta(days=8))
    monkeypatch.setattr(lock_mod, "now_utc", lambda: real() + timedelta(days=8))
    result, lines = _publish(out, target, keep_manifests=0)
    assert result.deleted == 0 and result.plan.kept_in_grace > 0, lines


def test_an_older_build_does_not_replace_a_newer_live_one(s3_server, s3_bucket, s3_env,
                                                          make_output, tmp_path) -> None:
    out = tmp_path / "output"
    target = _target(s3_server.endpoint, s3_bucket)

    def build(designs: dict[str, str], built_at: str) -> None:
        m = make_output(designs)
        m["built_at"] = built_at
        (out / "manifest.json").write_text(json.dumps(m))

    build({"a": "new"}, "2026-05-02T10:00:00+00:00")
    _publish(out, target)
    build({"a": "old"}, "2026-05-01T10:00:00+00:00")
    with pytest.raises(PublishError, match="older than the live one"):
        _publish(out, target)
    assert json.loads(_live(target, "manifest.json")[1])["built_at"].startswith("2026-05-02")
    result, _ = _publish(out, target, allow_older=True)
    assert result.switched


@pytest.mark.parametrize("evil", ["../shareables.yaml", "/etc/hostname", "link.png"])
def test_a_tampered_manifest_cannot_publish_files_outside_output(s3_server, s3_bucket, s3_env,
                                                                 make_output, tmp_path,
                                                                 evil) -> None:
    out = tmp_path / "output"
    manifest = make_output({"a": "one"})
    secret = tmp_path / "shareables.yaml"
    secret.write_text("secret: 1\n")
    if evil == "link.png":
        (out / "link.png").symlink_to(secret)
    data = secret.read_bytes() if evil != "/etc/hostname" else Path(evil).read_bytes()
    manifest["artefacts"].append({**manifest["artefacts"][0], "path": evil, "bytes": len(data),
                                  "sha256": hashlib.sha256(data).hexdigest()})
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(PublishError, match="not a (regular )?file inside"):
        _publish(out, _target(s3_server.endpoint, s3_bucket))
    listed = s3_server.client().list_objects_v2(Bucket=s3_bucket).get("Contents", [])
    assert [o["Key"] for o in listed] == []


# -- 10/11. clear messages, never a traceback ---------------------------------------------------


def test_bad_credentials_endpoints_and_options_give_messages_not_tracebacks(
        s3_server, s3_bucket, s3_env, make_output, tmp_path, monkeypatch) -> None:
    make_output({"a": "one"})
    project = make_project(tmp_path / "p", platforms=("x",))
    base = ["--bucket", s3_bucket, "--output", str(tmp_path / "output")]
    runner = CliRunner()

    def run(*args: str) -> Any:
        r = runner.invoke(main, ["publish", "--project", str(project), *base,
                                 "--endpoint-url", s3_server.endpoint, *args])
        assert "Traceback" not in r.output and not isinstance(r.exception, (
            KeyError, ValueError, OSError, OverflowError)), (args, r.output, r.exc_info)
        return r

    assert run("--endpoint-url", "http://[::1").exit_code == 2
    assert run("--endpoint-url", "not a url").exit_code == 2
    assert run("--grace", "99999999999999d").exit_code == 2
    r = run("--output", "/dev/null")
    assert r.exit_code == 2 and "does not exist" in r.output, r.output
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    r = run()
    assert r.exit_code == 2 and "incomplete" in r.output


def test_the_lock_owner_is_printed_without_control_characters(s3_server, s3_bucket, s3_env,
                                                              make_output, tmp_path) -> None:
    out = tmp_path / "output"
    make_output({"a": "one"})
    body = {"owner": "\x1b[2J\x1b]0;pwned\x07evil\u202eowner", "since": "2026-01-01T00:00:00",
            "expires": "2999-01-01T00:00:00+00:00", "lease_seconds": 10 ** 6, "token": "x"}
    s3_server.client().put_object(Bucket=s3_bucket, Key=f"site/{LOCK_KEY}",
                                  Body=json.dumps(body).encode())
    with pytest.raises(PublishError) as info:
        _publish(out, _target(s3_server.endpoint, s3_bucket))
    text = str(info.value)
    assert "publish in progress" in text and "evil" in text
    assert not any(c in text for c in "\x1b\x07\u202e")


def test_a_lock_expires_by_the_server_clock_not_the_writers(s3_server, s3_bucket, s3_env,
                                                            make_output, tmp_path) -> None:
    """A crashed publisher whose clock ran days ahead wrote "expires: in 8 days": its lease
    (1 s here) counted from the server's LastModified is what expires it."""
    import time

    out = tmp_path / "output"
    make_output({"a": "one"})
    body = {"owner": "crashed laptop", "since": "2999-01-01T00:00:00+00:00",
            "expires": "2999-01-09T00:00:00+00:00", "lease_seconds": 1, "token": "dead"}
    s3_server.client().put_object(Bucket=s3_bucket, Key=f"site/{LOCK_KEY}",
                                  Body=json.dumps(body).encode())
    time.sleep(2.1)  # S3 LastModified has one-second resolution
    result, _ = _publish(out, _target(s3_server.endpoint, s3_bucket))
    assert result.switched
