"""`build --from URL`: reuse the published renders (SHA-256 verified) instead of drawing them.

Real renderer, real SeaweedFS (anonymous reads, like a supporter's browser or a PR job
without secrets).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner
from fixtures_project import small_scaffold  # the plugin module (tests/ is on sys.path)

from shareables.build.pipeline import build_project
from shareables.build.remote import FetchError, fetch_published
from shareables.cli import main
from shareables.project.settings import load_settings
from shareables.publish.protocol import Reporter, publish_project
from shareables.publish.s3 import Target

pytestmark = pytest.mark.s3


def _images(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.suffix in (".png", ".jpg", ".zip")}


def test_build_from_the_published_site_downloads_instead_of_rendering_and_rejects_a_bad_sha(
        s3_server, s3_bucket, s3_env, tmp_path) -> None:
    project = small_scaffold(tmp_path / "p")
    settings = load_settings(project)
    publish_project(settings, build_first=True, bucket=s3_bucket, prefix="site/",
                    endpoint_url=s3_server.endpoint, reporter=Reporter(lambda _: None, tty=False),
                    build_options={"jobs": 1})
    original = _images(project / "output")
    target = Target(bucket=s3_bucket, prefix="site/", endpoint_url=s3_server.endpoint)
    url = target.base_url()

    # Another machine: same checkout, nothing local, read access only.
    fresh = build_project(settings, output_dir=tmp_path / "laptop", jobs=1,
                          published=fetch_published(url))
    assert fresh.exit_code == 0 and fresh.jobs_rendered == 0
    assert _images(tmp_path / "laptop") == original
    assert any("reused from" in n for n in fresh.notes)

    # Someone replaces one published object with other bytes: the download is rejected on its
    # SHA-256 and that job alone is rendered again (to the true bytes).
    live = json.loads((tmp_path / "laptop/manifest.json").read_text())
    victim = next(a for a in json.loads(_get(url + "manifest.json"))["artefacts"]
                  if a["role"] == "image")
    s3 = boto3.client("s3", endpoint_url=s3_server.endpoint)
    s3.put_object(Bucket=s3_bucket, Key="site/" + victim["key"], Body=b"\x89PNG tampered")
    again = build_project(settings, output_dir=tmp_path / "other", jobs=1,
                          published=fetch_published(url))
    assert again.exit_code == 0 and again.jobs_rendered == 1
    assert any(victim["path"] in n and "rejected" in n for n in again.notes), again.notes
    assert _images(tmp_path / "other") == original
    assert json.loads((tmp_path / "other/manifest.json").read_text())["artefacts"] == \
        live["artefacts"]

    # The command line: bare --from reads the settings' site (here via SHAREABLES_*).
    shutil.rmtree(project / "output")
    r = CliRunner().invoke(main, ["build", "--project", str(project), "--from", url, "-j", "1"])
    assert r.exit_code == 0, r.output
    assert "rendered" in r.output


def _get(url: str) -> bytes:
    from shareables.local.seaweed import http_get

    status, _, body = http_get(url)
    assert status == 200, url
    return body


def test_from_a_url_that_is_not_a_site_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(FetchError, match="http"):
        fetch_published("ftp://example.org/")
    with pytest.raises(FetchError, match="cannot read http://127.0.0.1:9/manifest.json"):
        fetch_published("http://127.0.0.1:9/")


def test_a_file_several_platforms_share_is_downloaded_once(
        s3_server, s3_bucket, s3_env, tmp_path, monkeypatch) -> None:
    from shareables.build import remote

    project = small_scaffold(tmp_path / "p", ("instagram-portrait", "threads"))
    settings = load_settings(project)
    publish_project(settings, build_first=True, bucket=s3_bucket, prefix="site/",
                    endpoint_url=s3_server.endpoint, reporter=Reporter(lambda _: None, tty=False),
                    build_options={"jobs": 1})
    url = Target(bucket=s3_bucket, prefix="site/", endpoint_url=s3_server.endpoint).base_url()
    published = fetch_published(url)
    assert published.manifest is not None
    shared = [a for a in published.manifest["artefacts"] if a["role"] == "image"]
    assert len(shared) == 4 and len({a["key"] for a in shared}) == 2  # 2 designs x 1 file

    fetched: list[str] = []
    real_get = remote._get
    monkeypatch.setattr(remote, "_get", lambda u: fetched.append(u) or real_get(u))
    fresh = build_project(settings, output_dir=tmp_path / "laptop", jobs=1, published=published)
    assert fresh.exit_code == 0 and fresh.jobs_rendered == 0
    assert len(fetched) == len(set(fetched))  # every object at most once
    assert sum(1 for u in fetched if any(u.endswith(a["key"]) for a in shared)) == 2
    for a in shared:
        assert (tmp_path / "laptop" / a["path"]).read_bytes() == \
            (project / "output" / a["path"]).read_bytes()
