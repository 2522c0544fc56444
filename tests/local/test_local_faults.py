"""The preview and the demo server reachable only as intended (issue 14)."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from shareables.local.seaweed import SeaweedServer
from shareables.local.serve import Preview


def _get(port: int, path: str, host: str | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", host or f"127.0.0.1:{port}")
    conn.endheaders()
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, body


@pytest.fixture
def preview(tmp_path: Path):
    out = tmp_path / "output"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"format": 1, "variants": [],
                                                   "artefacts": []}))
    (out / "a.png").write_bytes(b"png")
    p = Preview(out, port=0, log=lambda _m: None)
    p.start()
    yield p, out
    p.stop()


def test_serve_refuses_symlinks_out_of_output(preview, tmp_path) -> None:
    p, out = preview
    secret = tmp_path / "shareables.yaml"
    secret.write_text("secret: yes\n")
    (out / "leak.txt").symlink_to(secret)
    (out / "up").symlink_to(tmp_path, target_is_directory=True)
    port = p.httpd.server_address[1]
    assert _get(port, "/a.png") == (200, b"png")
    for path in ("/leak.txt", "/up/shareables.yaml", "/.shareables/lock"):
        status, body = _get(port, path)
        assert status == 404 and b"secret" not in body, path


def test_serve_answers_only_its_own_host_names(preview) -> None:
    p, _ = preview
    port = p.httpd.server_address[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        assert _get(port, "/", host)[0] == 200
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}"):
        assert _get(port, "/", host)[0] == 421
        assert _get(port, "/a.png", host)[0] == 421


@pytest.mark.parametrize("manifest", ['{"artefacts": "x", "variants": 7}', "[1, 2]",
                                      '{"variants": [{"design": null}], "artefacts": [{}]}'])
def test_a_damaged_manifest_still_serves_a_page(preview, manifest) -> None:
    p, out = preview
    (out / "manifest.json").write_text(manifest)
    status, body = _get(p.httpd.server_address[1], "/")
    assert status == 200 and b"<html" in body.lower()


def test_the_demo_filer_and_volume_ports_refuse_anonymous_access(
        s3_server: SeaweedServer) -> None:
    client = s3_server.client()
    client.create_bucket(Bucket="filer-probe")
    client.put_object(Bucket="filer-probe", Key="x.txt", Body=b"private")
    for name in ("filer", "volume"):
        base = f"http://127.0.0.1:{s3_server.ports[name]}"
        for method, path, data in (("GET", "/buckets/filer-probe/x.txt", None),
                                   ("PUT", "/buckets/filer-probe/evil.txt", b"evil")):
            req = urllib.request.Request(base + path, data=data, method=method)
            with pytest.raises(urllib.error.HTTPError) as info:
                urllib.request.urlopen(req, timeout=10)
            assert info.value.code in (400, 401), (name, method)
    keys = [o["Key"] for o in client.list_objects_v2(Bucket="filer-probe")["Contents"]]
    assert keys == ["x.txt"]
    assert client.get_object(Bucket="filer-probe", Key="x.txt")["Body"].read() == b"private"
