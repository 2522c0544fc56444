"""shareables publish, against a real SeaweedFS (tests/fixtures_s3.py); no mocks.

PUTs are counted with a botocore event hook on the client publish uses, so "uploads nothing"
means no PutObject request left the process.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fixtures_s3 import SECRET_KEY, write_output  # the plugin module (tests/ is on sys.path)

from shareables.build.worker import PillowRenderer
from shareables.cli import main
from shareables.errors import PublishError
from shareables.local.seaweed import SeaweedServer, free_port_pair, http_get
from shareables.publish.plan import (
    IMMUTABLE,
    LOCK_KEY,
    RemoteObject,
    parse_duration,
    plan_publish,
)
from shareables.publish.protocol import (
    PublishConfigError,
    Reporter,
    Target,
    make_client,
    publish,
)

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.s3

TWO = {"alpha": "Alpha says hello", "beta": "Beta says hello"}
PER_DESIGN = 7  # 2 platform images + their 2 inline views + 2 thumbnails + 1 zip (write_output)


class Recorder:
    """Every S3 call the client makes, in order: (operation, key)."""

    def __init__(self, client: Any) -> None:
        self.calls: list[tuple[str, str | None]] = []
        self._mutex = threading.Lock()
        client.meta.events.register("provide-client-params.s3.*", self._record)

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        with self._mutex:
            self.calls.append((model.name, params.get("Key")))

    def puts(self, prefix: str = "") -> list[str]:
        """Keys of PutObject requests, without the lock's own writes, prefix removed."""
        return [k[len(prefix):] for op, k in self.calls
                if op == "PutObject" and k and not k.endswith(LOCK_KEY)]

    def file_puts(self, prefix: str = "") -> list[str]:
        return [k for k in self.puts(prefix) if k.startswith("files/")]


def _target(server: SeaweedServer, bucket: str, prefix: str = "site/") -> Target:
    return Target(bucket=bucket, prefix=prefix, endpoint_url=server.endpoint)


def _publish(out: Path, target: Target, **kwargs: Any) -> tuple[Any, Recorder, list[str]]:
    client = make_client(target, attempts=2, jobs=kwargs.get("jobs", 4))
    rec = Recorder(client)
    lines: list[str] = []
    result = publish(out, target, client=client, reporter=Reporter(lines.append, tty=False),
                     **kwargs)
    return result, rec, lines


def _public(target: Target, rel: str) -> tuple[int, dict[str, str], bytes]:
    """Anonymous GET, as a supporter's browser does it."""
    return http_get(target.base_url() + rel)


def _switches(keys: list[str]) -> list[str]:
    """The switch writes without the other pages (campaign pages, search.json) before the
    index: manifests/<id>.json, manifest.json, index.html."""
    return [k for k in keys if k == "index.html" or not k.endswith((".html", "search.json"))]


def _links(html: bytes) -> set[str]:
    return set(re.findall(r'(?:href|src)="(files/[^"]+)"', html.decode()))


# --- plan (pure) ---------------------------------------------------------------------------


def test_plan_gives_a_reason_for_every_upload_and_skips_what_is_listed(tmp_path: Path) -> None:
    old = write_output(tmp_path / "a", TWO)
    new = write_output(tmp_path / "b", {**TWO, "beta": "Beta edited", "gamma": "New one"})
    published = plan_publish(old, None, {}, brand_slug="madre", now=datetime.now(UTC),
                             grace=timedelta(0)).manifest
    now = datetime.now(UTC)
    listing = {a["key"]: RemoteObject(a["key"], a["bytes"], now)
               for a in published["artefacts"]}
    plan = plan_publish(new, published, listing, brand_slug="madre", now=now,
                        grace=timedelta(days=1))
    reasons = {u.path: u.reason for u in plan.uploads}
    assert plan.present == PER_DESIGN  # alpha unchanged
    assert reasons["test/gamma/en/x.png"] == "new"
    assert reasons["test/beta/en/x.png"].startswith("changed (")
    assert len(plan.uploads) == 2 * PER_DESIGN
    assert plan.kept_in_grace == 0 and not plan.deletes  # old beta: the live page uses it

    # Once the new manifest is live, the old beta objects are referenced by nothing recent.
    listing.update({u.key: RemoteObject(u.key, u.size, now) for u in plan.uploads})
    soon = plan_publish(new, plan.manifest, listing, brand_slug="madre", now=now,
                        grace=timedelta(days=1))
    assert soon.kept_in_grace == PER_DESIGN and not soon.deletes and not soon.uploads
    later = plan_publish(new, plan.manifest, listing, brand_slug="madre",
                         now=now + timedelta(days=2), grace=timedelta(days=1))
    assert len(later.deletes) == PER_DESIGN
    assert all("/madre-beta-" in d.key for d in later.deletes)
    kept = plan_publish(new, plan.manifest, listing, [("manifests/old.json", published)],
                        brand_slug="madre", now=now + timedelta(days=2), grace=timedelta(days=1))
    assert not kept.deletes  # a recent manifest still references them


def test_parse_duration() -> None:
    assert parse_duration("48h") == timedelta(hours=48)
    assert parse_duration("7d") == timedelta(days=7)
    assert parse_duration("0") == timedelta(0)
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("soon")


# --- against SeaweedFS ---------------------------------------------------------------------


def test_first_publish_uploads_every_object_with_headers_and_metadata(
        s3_server, s3_bucket, s3_env, make_output, tmp_path) -> None:
    manifest = make_output(TWO)
    target = _target(s3_server, s3_bucket)
    result, rec, _ = _publish(tmp_path / "output", target)

    assert len(rec.file_puts(target.prefix)) == len(result.plan.manifest["artefacts"]) \
        == 2 * PER_DESIGN
    # The page goes last, after its manifest: a reader never sees links to missing files.
    assert _switches(rec.puts(target.prefix))[-3:] == [
        f"manifests/{manifest['build_id']}.json", "manifest.json", "index.html"]
    admin = s3_server.client()
    published = {a["path"]: a for a in result.plan.manifest["artefacts"] if a["role"] != "view"}
    views = {a["of"]: a for a in result.plan.manifest["artefacts"] if a["role"] == "view"}
    for a in manifest["artefacts"]:
        key = published[a["path"]]["key"]
        assert key.startswith(f"files/{a['sha256']}/madre-")
        head = admin.head_object(Bucket=s3_bucket, Key=target.key(key))
        assert head["ContentLength"] == a["bytes"]
        assert head["ContentType"] == a["content_type"]
        assert head["CacheControl"] == IMMUTABLE
        assert head["Metadata"]["sha256"] == a["sha256"]
        if a["role"] == "thumbnail":
            assert head["ContentDisposition"] == "inline"
        else:
            name = key.rsplit("/", 1)[1]
            assert head["ContentDisposition"] == f'attachment; filename="{name}"'
        if a["role"] == "image":  # the page's preview tap opens the same bytes inline
            view = views[a["path"]]["key"]
            assert view == f"files/{a['sha256']}/view/{key.rsplit('/', 1)[1]}"
            vhead = admin.head_object(Bucket=s3_bucket, Key=target.key(view))
            assert vhead["ContentDisposition"] == "inline"
            assert vhead["Metadata"]["sha256"] == a["sha256"]
    assert published["test/alpha/en/instagram-square.jpg"]["key"].endswith(
        "/madre-alpha-en-instagram-square.jpg")

    status, headers, page = _public(target, "index.html")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert headers["Cache-Control"] == "no-cache"
    assert headers["Content-Encoding"] == "gzip"  # pages are stored compressed
    links = _links(page) | _links(_public(target, "test.html")[2])  # index, campaign page
    keys = {a["key"] for a in result.plan.manifest["artefacts"]}
    downloads = {a["key"] for a in result.plan.manifest["artefacts"]
                 if a["role"] not in ("thumbnail", "view")}
    assert downloads <= links <= keys  # the page previews one thumbnail per design
    for link in links:  # every link resolves anonymously to the bytes the manifest promises
        status, _, body = _public(target, link)
        assert status == 200
        assert hashlib.sha256(body).hexdigest() == link.split("/")[1]
    status, headers, body = _public(target, "manifest.json")
    assert json.loads(body)["build_id"] == manifest["build_id"]
    assert headers["Cache-Control"] == "no-cache"
    assert _public(target, LOCK_KEY)[0] == 404  # released
    # Anonymous visitors may read objects, not list the bucket or write to it.
    assert http_get(f"{s3_server.endpoint}/{s3_bucket}?list-type=2")[0] == 403
    put = urllib.request.Request(target.base_url() + "index.html", data=b"defaced", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(put, timeout=5)
    assert denied.value.code == 403
    assert _public(target, "index.html")[2] == page


def test_second_publish_uploads_nothing(s3_server, s3_bucket, s3_env, make_output,
                                        tmp_path) -> None:
    make_output(TWO)
    target = _target(s3_server, s3_bucket)
    _publish(tmp_path / "output", target)
    result, rec, lines = _publish(tmp_path / "output", target)
    assert rec.puts() == []
    assert result.plan.up_to_date
    assert lines[-1] == f"Up to date: {target.page_url()}"


def test_editing_one_design_uploads_only_its_objects_then_manifest_and_index(
        s3_server, s3_bucket, s3_env, make_output, tmp_path) -> None:
    make_output(TWO)
    target = _target(s3_server, s3_bucket)
    _publish(tmp_path / "output", target)
    edited = make_output({**TWO, "beta": "Beta changed its words"})
    result, rec, _ = _publish(tmp_path / "output", target)

    beta = {a["sha256"] for a in edited["artefacts"] if a["design"] == "beta"}
    uploaded = rec.file_puts(target.prefix)
    assert len(uploaded) == PER_DESIGN
    assert {k.split("/")[1] for k in uploaded} == beta
    assert _switches(rec.puts(target.prefix))[PER_DESIGN:] == [
        f"manifests/{edited['build_id']}.json", "manifest.json", "index.html"]
    assert all(u.reason.startswith("changed") for u in result.plan.uploads)


def test_dry_run_prints_the_plan_and_changes_nothing(s3_server, s3_bucket, s3_env, make_output,
                                                     tmp_path) -> None:
    make_output(TWO)
    target = _target(s3_server, s3_bucket)
    result, rec, lines = _publish(tmp_path / "output", target, dry_run=True)
    assert rec.puts() == [] and all(op != "DeleteObject" for op, _ in rec.calls)
    assert any(re.fullmatch(r"  upload files/[0-9a-f]{64}/madre-alpha-en-x\.png \(\d+ B\) "
                            r"from test/alpha/en/x\.png: new", line) for line in lines), lines
    assert "switch manifests/<build-id>.json, manifest.json, index.html: nothing published yet" \
        in "\n".join(lines)
    assert lines[-1].startswith(f"{2 * PER_DESIGN} to upload (")
    assert "Contents" not in s3_server.client().list_objects_v2(Bucket=s3_bucket)


def test_killed_server_mid_publish_leaves_the_previous_site_whole_and_rerun_fills_the_gap(
        s3_own_server, s3_env, make_output, tmp_path) -> None:
    server = s3_own_server
    server.create_bucket("kill-test")
    target = _target(server, "kill-test")
    out = tmp_path / "output"
    v1 = make_output({"alpha": "First version"})
    _publish(out, target)
    _, _, v1_page = _public(target, "index.html")

    designs = {f"d{i}": f"Design number {i}" for i in range(8)}
    v2 = make_output(designs)
    total = len(v2["artefacts"]) + sum(a["role"] == "image" for a in v2["artefacts"])  # 56
    client = make_client(target, attempts=2, jobs=4)
    done = {"n": 0}

    def remember_key(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["key"] = params.get("Key", "")

    def kill_halfway(context: dict[str, Any], **_: Any) -> None:
        if "/files/" in context.get("key", ""):
            done["n"] += 1
            if done["n"] == total // 2:
                server.kill()

    client.meta.events.register("provide-client-params.s3.PutObject", remember_key)
    client.meta.events.register("after-call.s3.PutObject", kill_halfway)
    started = time.monotonic()
    with pytest.raises(PublishError, match="cannot reach the storage endpoint"):
        publish(out, target, client=client, jobs=4, lease=timedelta(seconds=2),
                reporter=Reporter(lambda _: None, tty=False))
    assert time.monotonic() - started < 30

    server.restart()
    status, _, page = _public(target, "index.html")
    assert status == 200 and page == v1_page  # the live page is still the previous one
    live = json.loads(_public(target, "manifest.json")[2])
    assert live["build_id"] == v1["build_id"]
    for a in live["artefacts"]:
        status, _, body = _public(target, a["key"])
        assert status == 200 and hashlib.sha256(body).hexdigest() == a["sha256"]

    listed = {o["Key"] for o in server.client().list_objects_v2(
        Bucket="kill-test", Prefix="site/files/").get("Contents", [])}
    v2_keys = {f"site/{a['key']}" for a in
               plan_publish(v2, None, {}, brand_slug="madre", now=datetime.now(UTC),
                            grace=timedelta(0)).manifest["artefacts"]}
    already = len(v2_keys & listed)
    assert total // 2 <= already < total

    _wait_for_lock_expiry(server, "kill-test", target)
    result, rec, _ = _publish(out, target)
    assert len(rec.file_puts(target.prefix)) == total - already  # only what is missing
    assert _switches(rec.puts(target.prefix))[-2:] == ["manifest.json", "index.html"]
    assert json.loads(_public(target, "manifest.json")[2])["build_id"] == v2["build_id"]
    for link in _links(_public(target, "index.html")[2]):
        status, _, body = _public(target, link)
        assert status == 200 and hashlib.sha256(body).hexdigest() == link.split("/")[1]


def _wait_for_lock_expiry(server: SeaweedServer, bucket: str, target: Target) -> None:
    """The killed run could not release its lock; its 2 s lease runs out on its own."""
    try:
        body = server.client().get_object(Bucket=bucket, Key=target.key(LOCK_KEY))["Body"].read()
    except Exception:
        return
    expires = datetime.fromisoformat(json.loads(body)["expires"])
    time.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()) + 0.5)


def test_prune_respects_grace_period_and_max_deletes(s3_server, s3_bucket, s3_env, make_output,
                                                     tmp_path) -> None:
    target = _target(s3_server, s3_bucket)
    out = tmp_path / "output"
    admin = s3_server.client()

    def keys() -> set[str]:
        return {o["Key"] for o in admin.list_objects_v2(Bucket=s3_bucket).get("Contents", [])}

    # keep_manifests=1: the one manifest before the new one protects its files.
    make_output(TWO)
    _publish(out, target, keep_manifests=1)
    time.sleep(1.1)  # S3 LastModified has 1 s resolution: keep "newest" unambiguous
    make_output({"alpha": TWO["alpha"]})  # beta removed from the site
    result, _, _ = _publish(out, target, keep_manifests=1, grace=timedelta(0))
    assert result.deleted == 0  # beta is still referenced by the previous manifest
    time.sleep(1.1)
    make_output({"alpha": TWO["alpha"], "gamma": "Gamma arrives"})
    result, _, _ = _publish(out, target, keep_manifests=1, grace=timedelta(hours=1))
    # beta is referenced by no recent manifest, but younger than the grace period: kept.
    assert result.deleted == 0 and result.plan.kept_in_grace == PER_DESIGN + 1
    before = keys()

    with pytest.raises(PublishError, match=r"pruning would delete 8 objects, more than "
                                           r"--max-deletes 5; nothing was uploaded or deleted"):
        _publish(out, target, keep_manifests=1, grace=timedelta(0), max_deletes=5)
    assert keys() == before

    result, rec, _ = _publish(out, target, keep_manifests=1, grace=timedelta(0), max_deletes=8)
    assert result.deleted == 8
    gone = before - keys()
    assert len(gone) == 8
    assert sum("madre-beta-" in k for k in gone) == PER_DESIGN
    assert rec.puts() == []  # nothing else changed
    for link in _links(_public(target, "index.html")[2]):  # the live page is intact
        assert _public(target, link)[0] == 200


def test_an_empty_build_never_replaces_a_live_site(s3_server, s3_bucket, s3_env, make_output,
                                                   tmp_path) -> None:
    make_output(TWO)
    target = _target(s3_server, s3_bucket)
    _publish(tmp_path / "output", target)
    page = _public(target, "index.html")[2]
    make_output({})
    with pytest.raises(PublishError, match=r"^the build has no artefacts; refusing to replace "
                                           r"the live site \(14 artefacts\)"):
        _publish(tmp_path / "output", target)
    assert _public(target, "index.html")[2] == page


def test_a_held_lock_stops_a_second_publisher_and_an_expired_one_is_broken(
        s3_server, s3_bucket, s3_env, make_output, tmp_path) -> None:
    make_output(TWO)
    target = _target(s3_server, s3_bucket)
    admin = s3_server.client()
    since = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

    def hold(expires: datetime) -> None:
        admin.put_object(Bucket=s3_bucket, Key=target.key(LOCK_KEY), Body=json.dumps({
            "owner": "ci@runner-7", "since": since.isoformat(), "expires": expires.isoformat(),
            "token": "other"}).encode())

    hold(datetime.now(UTC) + timedelta(minutes=5))
    with pytest.raises(PublishError, match=r"^publish in progress \(by ci@runner-7, since "
                                           r"2026-01-02 03:04:05 UTC; lease until "):
        _publish(tmp_path / "output", target)
    assert "Contents" not in admin.list_objects_v2(Bucket=s3_bucket, Prefix="site/files/")

    hold(datetime.now(UTC) - timedelta(seconds=1))
    result, _, _ = _publish(tmp_path / "output", target)
    assert result.switched
    assert _public(target, LOCK_KEY)[0] == 404


def test_the_lease_is_renewed_while_publishing_and_a_stolen_lock_stops_the_switch(
        s3_server, s3_bucket, s3_env) -> None:
    from shareables.publish.lock import Lock

    target = _target(s3_server, s3_bucket)
    admin = s3_server.client()
    client = make_client(target, attempts=2)

    def expires() -> datetime:
        body = admin.get_object(Bucket=s3_bucket, Key=target.key(LOCK_KEY))["Body"].read()
        return datetime.fromisoformat(json.loads(body)["expires"])

    lock = Lock(client, target, timedelta(seconds=1.5), "tester@test").acquire()
    first = expires()
    time.sleep(2.5)  # longer than the lease: only the heartbeat keeps it alive
    assert expires() > first and not lock.lost
    lock.refresh()
    # Someone breaks in (e.g. --break-lock elsewhere): our next renewal must notice.
    admin.put_object(Bucket=s3_bucket, Key=target.key(LOCK_KEY), Body=b"{}")
    with pytest.raises(PublishError, match="taken over"):
        lock.refresh()
    lock.release()  # must not delete the other publisher's lock
    assert admin.get_object(Bucket=s3_bucket, Key=target.key(LOCK_KEY))["Body"].read() == b"{}"


def test_lock_fallback_for_stores_without_conditional_writes(s3_server, s3_bucket,
                                                             s3_env) -> None:
    """The path taken when a store answers 501 to If-None-Match (exercised directly)."""
    from shareables.publish.lock import Lock

    target = _target(s3_server, s3_bucket)
    client = make_client(target, attempts=2)
    mine = Lock(client, target, timedelta(minutes=1), "me@here")
    mine._acquire_fallback(break_lock=False)
    theirs = Lock(client, target, timedelta(minutes=1), "them@there")
    with pytest.raises(PublishError, match=r"^publish in progress \(by me@here, since "):
        theirs._acquire_fallback(break_lock=False)
    mine.release()
    assert _public(target, LOCK_KEY)[0] == 404


def test_two_publishers_at_once_one_wins(s3_server, s3_bucket, s3_env, make_output,
                                         tmp_path) -> None:
    make_output(TWO)
    target = _target(s3_server, s3_bucket)
    outcomes: list[str] = []

    def run() -> None:
        try:
            _publish(tmp_path / "output", target)
            outcomes.append("ok")
        except PublishError as e:
            outcomes.append(str(e))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Either they serialised (second one up to date) or the loser was told who holds the lock.
    assert "ok" in outcomes
    assert all(o == "ok" or o.startswith("publish in progress (by ") for o in outcomes)


def test_errors_are_clear_and_name_the_problem(s3_server, s3_bucket, s3_env, make_output,
                                               tmp_path, monkeypatch) -> None:
    make_output(TWO)
    out = tmp_path / "output"

    with pytest.raises(PublishConfigError) as e:
        publish(out, _target(s3_server, "no-such-bucket"), attempts=1)
    assert str(e.value) == (f"bucket 'no-such-bucket' does not exist at {s3_server.endpoint}; "
                            "create it, or fix publish.bucket / --bucket")

    port = free_port_pair(set())
    down = Target(bucket=s3_bucket, endpoint_url=f"http://127.0.0.1:{port}")
    with pytest.raises(PublishError, match=r"^cannot reach the storage endpoint while checking "
                                           rf"the bucket s3://{s3_bucket}/ \(http://127"):
        publish(out, down, attempts=1)

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    with pytest.raises(PublishConfigError, match=r"^the S3 credentials were rejected "
                                                 r"\(SignatureDoesNotMatch\)"):
        publish(out, _target(s3_server, s3_bucket), attempts=1)

    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    with pytest.raises(PublishConfigError, match=r"^no S3 credentials found; set "
                                                 r"AWS_ACCESS_KEY_ID"):
        publish(out, _target(s3_server, s3_bucket), attempts=1)


def test_no_secret_or_signature_in_logs_even_at_debug(s3_server, s3_bucket, s3_env, make_output,
                                                      tmp_path, caplog, monkeypatch) -> None:
    make_output(TWO)
    caplog.set_level(logging.DEBUG)
    for name in ("botocore", "botocore.auth", "botocore.endpoint", "urllib3"):
        caplog.set_level(logging.DEBUG, logger=name)
    _publish(tmp_path / "output", _target(s3_server, s3_bucket))
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY + "x")
    with pytest.raises(PublishConfigError):
        publish(tmp_path / "output", _target(s3_server, s3_bucket), attempts=1)
    text = caplog.text
    assert "uploaded files/" in text  # the capture works: our own DEBUG lines are there
    assert SECRET_KEY not in text
    for marker in ("Authorization", "Signature=", "Credential=", "X-Amz-Signature"):
        assert marker not in text


# --- the command line ----------------------------------------------------------------------


@pytest.fixture
def scaffold(tmp_path: Path) -> Path:
    """A project made by `shareables init` (real settings, designs and fonts)."""
    root = tmp_path / "scaffold"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    return root


def test_cli_dry_run_and_publish(s3_server, s3_bucket, s3_env, scaffold, tmp_path) -> None:
    project = scaffold
    write_output(project / "output", TWO)
    args = ["publish", "--project", str(project), "--bucket", s3_bucket,
            "--endpoint-url", s3_server.endpoint, "--prefix", "cli"]
    dry = CliRunner().invoke(main, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"Publish plan for s3://{s3_bucket}/cli/ ({s3_server.endpoint}):" in dry.output
    real = CliRunner().invoke(main, args)
    assert real.exit_code == 0, real.output
    assert real.output.rstrip().endswith(f"{s3_server.endpoint}/{s3_bucket}/cli/index.html")
    again = CliRunner().invoke(main, args)
    assert again.output.strip().splitlines()[-1].startswith("Up to date:")


def test_cli_exit_codes(s3_server, s3_env, scaffold) -> None:
    project = scaffold
    write_output(project / "output", TWO)
    result = CliRunner().invoke(main, ["publish", "--project", str(project), "--bucket",
                                       "missing-bucket", "--endpoint-url", s3_server.endpoint])
    assert result.exit_code == 2
    assert "bucket 'missing-bucket' does not exist" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(main, ["publish", "--project", str(project), "--bucket", "x",
                                       "--endpoint-url", s3_server.endpoint, "--grace", "soon"])
    assert result.exit_code == 2 and "not a duration" in result.output
    down = f"http://127.0.0.1:{free_port_pair(set())}"
    result = CliRunner().invoke(main, ["publish", "--project", str(project), "--bucket", "x",
                                       "--endpoint-url", down])
    assert result.exit_code == 1
    assert result.output.startswith(f"cannot reach the storage endpoint while checking the "
                                    f"bucket s3://x/shareables/ ({down}); check ")
    shutil.rmtree(project / "output")
    result = CliRunner().invoke(main, ["publish", "--project", str(project), "--dry-run"])
    assert result.exit_code == 2
    assert result.output == (f"{project / 'output' / 'manifest.json'} does not exist; run "
                             "`shareables build` first (or publish --build)\n")


# --- end to end: the real build, a fresh checkout, the demo --------------------------------


class PinnedRenderer(PillowRenderer):
    """The real renderer, its fingerprint (a hash of the render modules' source) read once.

    Teammates editing render code in a shared working tree would otherwise change every
    cache key between two builds of one test; in CI the sources cannot change mid-test.
    """

    def __init__(self) -> None:
        super().__init__()
        self.pinned = super().fingerprint()

    def __getstate__(self) -> dict[str, Any]:
        return {"pinned": self.pinned}

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__({})
        self.pinned = state["pinned"]

    def fingerprint(self) -> str:
        return self.pinned


def test_real_build_then_fresh_checkout_publish_renders_and_uploads_only_what_changed(
        s3_server, s3_bucket, s3_env, scaffold) -> None:
    from shareables.publish.protocol import publish_project
    project = scaffold
    from shareables.project.settings import load_settings

    # Small and independent of work on other kinds: the scaffold's quote and tag, 2 platforms.
    for name in ("carousel", "statement"):
        (project / "designs/example" / f"{name}.yaml").unlink()
    settings_file = project / "shareables.yaml"
    settings_file.write_text(re.sub(r"(?m)^platforms: .*$", "platforms: [instagram-square, x]",
                                    settings_file.read_text()))
    settings = load_settings(project)
    target = _target(s3_server, s3_bucket, "e2e/")

    renderer = PinnedRenderer()

    def publish_with_build() -> tuple[Any, Recorder]:
        client = make_client(target, attempts=2, jobs=4)
        rec = Recorder(client)
        result = publish_project(settings, build_first=True, bucket=s3_bucket, prefix="e2e/",
                                 endpoint_url=s3_server.endpoint, client=client,
                                 build_options={"renderer": renderer},
                                 reporter=Reporter(lambda _: None, tty=False))
        return result, rec

    first, rec = publish_with_build()
    assert first.build_exit_code == 0
    built = json.loads((project / "output/manifest.json").read_text())
    views = sum(a["role"] in ("image", "slide") for a in built["artefacts"])
    assert len(rec.file_puts("e2e/")) == len(built["artefacts"]) + views > 10
    page = _public(target, "index.html")[2]
    for link in _links(page):
        status, _, body = _public(target, link)
        assert status == 200 and hashlib.sha256(body).hexdigest() == link.split("/")[1]

    shutil.rmtree(project / "output")  # a fresh CI checkout: nothing local
    again, rec = publish_with_build()
    assert rec.puts() == [] and again.plan.up_to_date
    assert not [p for p in (project / "output").rglob("*") if p.suffix in (".jpg", ".png")]

    shutil.rmtree(project / "output")
    quote = project / "designs/example/quote.yaml"
    quote.write_text(quote.read_text().replace("text: ", "text: Edited. ", 1))
    edited, rec = publish_with_build()
    uploaded = rec.file_puts("e2e/")
    assert uploaded and all("-quote-en" in k for k in uploaded), uploaded
    changed = [a for a in json.loads((project / "output/manifest.json").read_text())["artefacts"]
               if a["design"] == "quote"]
    assert len(uploaded) == len(changed) + sum(a["role"] in ("image", "slide") for a in changed)
    assert _switches(rec.puts("e2e/"))[-2:] == ["manifest.json", "index.html"]

    # A design that breaks in CI keeps its live version instead of vanishing from the page.
    shutil.rmtree(project / "output")
    quote.write_text(quote.read_text() + "bogus_key: 1\n")
    broken, rec = publish_with_build()
    assert broken.build_exit_code == 1
    assert rec.file_puts("e2e/") == []
    live = json.loads(_public(target, "manifest.json")[2])
    assert {a["key"] for a in live["artefacts"] if a["design"] == "quote"} == {
        a["key"] for a in edited.plan.manifest["artefacts"] if a["design"] == "quote"}


def test_make_demo_serves_the_page_from_the_bucket_until_stopped(tmp_path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("designs", "fonts", "brand"):
        shutil.copytree(REPO / name, repo / name)
    shutil.copy(REPO / "shareables.yaml", repo / "shareables.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}

    def demo(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "shareables.local.demo", *args, "--project",
                               str(repo)], capture_output=True, text=True, env=env, timeout=300)

    try:
        run = demo()
        found = re.search(r"^Download page: (http://127\.0\.0\.1:\d+/\S+/index\.html)$",
                          run.stdout, re.M)
        assert found, run.stdout + run.stderr
        state = json.loads((repo / ".demo/server.json").read_text())
        assert state["secret_key"] not in run.stdout + run.stderr
        # After the command returned, a browser (no credentials) gets the page and its files.
        status, headers, page = http_get(found.group(1))
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        base = found.group(1).rsplit("/", 1)[0]
        links = sorted(_links(page) | _links(http_get(f"{base}/palestine.html")[2]))
        assert len(links) > 20
        for link in links[:5]:
            status, _, body = http_get(f"{base}/{link}")
            assert status == 200 and hashlib.sha256(body).hexdigest() == link.split("/")[1]
        again = demo().stdout  # rerunning reuses the running server (and the build cache)
        assert f"SeaweedFS already running (pid {state['pid']})" in again
        assert f"Download page: {found.group(1)}" in again
    finally:
        stopped = demo("stop")
    assert stopped.returncode == 0 and "Stopped SeaweedFS" in stopped.stdout
    assert demo("status").returncode == 1


def test_progress_is_a_bar_on_a_terminal_and_plain_lines_in_ci(capsys) -> None:
    lines: list[str] = []
    with Reporter(lines.append, tty=False).progress(2, "upload") as step:
        step("files/a/x.png", 1)
        step("files/b/y.png", 1)
    assert lines == ["  upload 1: files/a/x.png", "  upload 2: files/b/y.png"]
    with Reporter(lines.append, tty=True).progress(2, "upload") as step:
        step("files/a/x.png", 1)
        step("files/b/y.png", 1)
    assert len(lines) == 2  # the bar draws itself instead of printing lines


def test_target_from_settings_and_overrides() -> None:
    from shareables.project.model import PublishTarget
    from shareables.publish.protocol import resolve_target

    settings = PublishTarget(bucket="madre", prefix="/shareables", endpoint_url=None,
                             public_url="https://shareables.example.org")
    t = resolve_target(settings)
    assert (t.bucket, t.prefix) == ("madre", "shareables/")
    assert t.page_url() == "https://shareables.example.org/index.html"
    moved = resolve_target(settings, bucket="staging", endpoint_url="http://127.0.0.1:9000")
    assert moved.page_url() == "http://127.0.0.1:9000/staging/shareables/index.html"
    assert resolve_target(settings, prefix="").key("index.html") == "index.html"
    with pytest.raises(PublishConfigError, match=r"^publish\.bucket: no bucket to publish to; "):
        resolve_target(PublishTarget())
