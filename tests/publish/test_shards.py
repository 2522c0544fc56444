"""Shards that merge into one site, against a real SeaweedFS, with the real renderer.

Shards run as separate `shareables publish --shard K/N` processes at the same time (as CI
matrix jobs do); the merge validates their partial manifests and switches the site once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fixtures_project import make_project

from shareables.build.pipeline import build_project
from shareables.errors import PublishError
from shareables.local.seaweed import http_get
from shareables.project.settings import load_settings
from shareables.publish.plan import LOCK_KEY, add_inline_views
from shareables.publish.protocol import Reporter, make_client, publish_project
from shareables.publish.s3 import Target

pytestmark = pytest.mark.s3

REPO = Path(__file__).resolve().parents[2]

# A shard that dies mid-upload: the real CLI, SIGKILLed by itself before its LIMIT+1-th file PUT.
DYING_SHARD = """
import os, signal, sys
import shareables.publish.protocol as protocol
from shareables.publish.s3 import make_client as real

LIMIT = int(os.environ["DIE_AFTER_PUTS"])
def make_client(*args, **kwargs):
    client = real(*args, **kwargs)
    count = [0]
    def hook(params, **_):
        if "/files/" in "/" + params.get("Key", ""):
            count[0] += 1
            if count[0] > LIMIT:
                os.kill(os.getpid(), signal.SIGKILL)
    client.meta.events.register("provide-client-params.s3.PutObject", hook)
    return client
protocol.make_client = make_client
from shareables.cli import main
main(sys.argv[1:], prog_name="shareables")
"""


def _cli(args: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "shareables", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs)


def _shard_args(project: Path, out: Path, target: Target, k: int, n: int, run: str
                ) -> list[str]:
    return ["publish", "--project", str(project), "--output", str(out), "--shard", f"{k}/{n}",
            "--run-id", run, "--bucket", target.bucket, "--prefix", target.prefix,
            "--endpoint-url", str(target.endpoint_url), "--jobs", "2"]


def _merge(project: Path, target: Target, run: str, n: int, **kw: Any) -> tuple[Any, list[str]]:
    client = make_client(target, attempts=2, jobs=4)
    puts: list[str] = []
    client.meta.events.register("provide-client-params.s3.PutObject",
                                lambda params, **_: puts.append(params["Key"]))
    result = publish_project(load_settings(project), merge=run, shards=n, bucket=target.bucket,
                             prefix=target.prefix, endpoint_url=target.endpoint_url,
                             client=client, reporter=Reporter(lambda _: None, tty=False), **kw)
    return result, [k[len(target.prefix):] for k in puts if not k.endswith(LOCK_KEY)]


def _page_links_resolve(target: Target) -> tuple[bytes, set[str]]:
    status, _, page = http_get(target.base_url() + "index.html")
    assert status == 200
    links = set(re.findall(r'(?:href|src)="(files/[^"]+)"', page.decode()))
    # The index links the campaign pages (and the other languages'); their cards every file.
    seen, queue = {"index.html"}, re.findall(r'href="([a-z0-9.-]+\.html)"', page.decode())
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen.add(name)
        status, _, other = http_get(target.base_url() + name)
        assert status == 200, name
        links |= set(re.findall(r'(?:href|src)="(files/[^"]+)"', other.decode()))
        queue += re.findall(r'href="([a-z0-9.-]+\.html)(?:#[^"]*)?"', other.decode())
    for link in links:
        status, _, body = http_get(target.base_url() + link)
        assert status == 200 and hashlib.sha256(body).hexdigest() == link.split("/")[1], link
    return page, links


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return make_project(tmp_path / "p", platforms=("instagram-square", "x"))


def test_three_concurrent_shard_processes_then_a_merge_publish_one_whole_site(
        s3_server, s3_bucket, s3_env, small, tmp_path) -> None:
    target = Target(bucket=s3_bucket, prefix="site/", endpoint_url=s3_server.endpoint)
    procs = [_cli(_shard_args(small, tmp_path / f"out{k}", target, k, 3, "run-1"))
             for k in (1, 2, 3)]
    outputs = [p.communicate(timeout=300)[0].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    assert all("switches nothing" in o or "nothing switched" in o for o in outputs), outputs
    assert http_get(target.base_url() + "index.html")[0] == 404  # nothing live yet
    partials = [json.loads(http_get(target.base_url() +
                                    f"manifests/partials/run-1/{k}.json")[2]) for k in (1, 2, 3)]
    assert all(p["designs"] for p in partials)  # balanced: every shard got work

    # The merge refuses the wrong shard count, then publishes the whole site once.
    with pytest.raises(PublishError, match="partial manifest of shard 4 of 4 is missing"):
        _merge(small, target, "run-1", 4)
    result, puts = _merge(small, target, "run-1", 3)
    pages = ("manifest.json", "index.html")  # campaign pages and search.json go in between
    assert result.switched and [k for k in puts if k in pages][-2:] == list(pages)
    assert puts[-1] == "index.html"
    assert not [k for k in puts if k.startswith("files/")]  # the shards uploaded everything

    # One site, exactly what one machine builds: same files, same bytes, every link resolving.
    whole = build_project(small, output_dir=tmp_path / "single", jobs=2)
    live = json.loads(http_get(target.base_url() + "manifest.json")[2])
    assert {(a["path"], a["sha256"]) for a in live["artefacts"]} == {
        (a["path"], a["sha256"]) for a in whole.manifest["artefacts"]}
    assert len(live["variants"]) == len(whole.manifest["variants"])
    page, links = _page_links_resolve(target)
    for v in live["variants"]:  # every design of every shard is on the one page
        assert any(f"-{v['design']}-{v['lang']}" in link for link in links), v["design"]
    durations = json.loads(http_get(target.base_url() + "durations.json")[2])
    assert {f"{a['campaign']}/{a['design']}/{a['lang']} {a['platform']}"
            for a in live["artefacts"] if a["role"] == "image"} <= set(durations)

    # A design edited after its shard ran: the partial is stale and the merge refuses it.
    edited = next(rel for p in partials for rel in p["designs"])
    text = (small / edited).read_text()
    (small / edited).write_text(text.replace("caption:", "caption: New.", 1))
    with pytest.raises(PublishError, match=f"stale partial .*{re.escape(edited)} changed"):
        _merge(small, target, "run-1", 3)
    assert http_get(target.base_url() + "index.html")[2] == page  # still the merged site


def test_a_shard_killed_mid_upload_leaves_nothing_live_and_its_rerun_uploads_the_rest(
        s3_server, s3_bucket, s3_env, small, tmp_path) -> None:
    target = Target(bucket=s3_bucket, prefix="k/", endpoint_url=s3_server.endpoint)
    first = _cli(_shard_args(small, tmp_path / "a", target, 1, 2, "run-7"))
    assert first.communicate(timeout=300)[0] is not None and first.returncode == 0
    env = {**os.environ, "DIE_AFTER_PUTS": "3",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    dying = subprocess.run([sys.executable, "-c", DYING_SHARD,
                            *_shard_args(small, tmp_path / "b", target, 2, 2, "run-7")],
                           env=env, capture_output=True, timeout=300)
    assert dying.returncode == -signal.SIGKILL, dying.stdout.decode() + dying.stderr.decode()
    assert http_get(target.base_url() + "manifests/partials/run-7/2.json")[0] == 404
    with pytest.raises(PublishError, match="partial manifest of shard 2 of 2 is missing"):
        _merge(small, target, "run-7", 2)
    assert http_get(target.base_url() + "index.html")[0] == 404  # nothing went live

    # The rerun (same machine, its output/ as the kill left it) uploads only what is missing.
    client = make_client(target, attempts=2, jobs=2)
    before = {o["Key"] for o in client.list_objects_v2(Bucket=target.bucket, Prefix="k/files/"
                                                       ).get("Contents", [])}
    puts: list[str] = []
    client.meta.events.register("provide-client-params.s3.PutObject",
                                lambda params, **_: puts.append(params["Key"]))
    publish_project(load_settings(small), output_dir=tmp_path / "b", shard=(2, 2),
                    run_id="run-7", bucket=target.bucket, prefix=target.prefix,
                    endpoint_url=target.endpoint_url, client=client,
                    reporter=Reporter(lambda _: None, tty=False))
    partial = json.loads(http_get(target.base_url() + "manifests/partials/run-7/2.json")[2])
    files = [k for k in puts if k.startswith("k/files/")]
    listed = {"artefacts": [dict(a) for a in partial["artefacts"]]}
    add_inline_views(listed)  # each image's inline copy is uploaded with it
    wanted = {"k/" + a["key"] for a in listed["artefacts"]}
    assert before & wanted, "the killed shard uploaded some of its files before it died"
    assert sorted(files) == sorted(wanted - before)  # each missing object once, nothing else
    result, _ = _merge(small, target, "run-7", 2)
    assert result.switched
    _page_links_resolve(target)
