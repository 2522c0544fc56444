"""`make demo`: build the shipped designs for every platform, publish them to a local SeaweedFS,
and print the URL of the download page served from the bucket.

    python -m shareables.local.demo          build, start (or reuse) the server, publish, print URL
    python -m shareables.local.demo stop     stop the background server
    python -m shareables.local.demo status   is it running, and where

The server keeps running in the background after the command returns, so the printed URL works
in a browser until `stop` (state in .demo/: server.json, seaweed/ data, weed.log). It listens on
127.0.0.1 only; anonymous visitors may read objects, only the generated key pair in
.demo/server.json (mode 600, never printed) may write. Rerunning is cheap: the build and the
publish are incremental, and the server is reused.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from ..errors import ErrorList, ShareablesError
from ..platforms import PLATFORMS
from .seaweed import SeaweedServer, http_get, port_free

STATE_DIR = ".demo"
DEFAULT_S3_PORT = 8333


def _state_file(project: Path) -> Path:
    return project / STATE_DIR / "server.json"


def _load_state(project: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(_state_file(project).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _server_from(project: Path, state: dict[str, Any]) -> SeaweedServer:
    return SeaweedServer(project / STATE_DIR / "seaweed", access_key=state["access_key"],
                         secret_key=state["secret_key"], ports=dict(state["ports"]),
                         log_path=project / STATE_DIR / "weed.log", pid=state.get("pid"))


def _save_state(project: Path, server: SeaweedServer) -> None:
    path = _state_file(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps({"pid": server.pid, "ports": server.ports,
                                "endpoint": server.endpoint, "access_key": server.access_key,
                                "secret_key": server.secret_key}, indent=1))
    path.chmod(0o600)


def running_server(project: Path) -> SeaweedServer | None:
    """The demo server from .demo/server.json if its process is alive and answering."""
    state = _load_state(project)
    if not state:
        return None
    server = _server_from(project, state)
    if not server.alive():
        return None
    try:
        server.wait_ready(timeout=5)
    except Exception:
        return None
    return server


def start_server(project: Path, preferred_port: int | None) -> SeaweedServer:
    """Reuse the running demo server, or start one in the background on loopback."""
    server = running_server(project)
    if server is not None:
        click.echo(f"SeaweedFS already running (pid {server.pid}) at {server.endpoint}")
        return server
    state = _load_state(project) or {}
    port = preferred_port if preferred_port and port_free(preferred_port) else None
    server = SeaweedServer(
        project / STATE_DIR / "seaweed",
        # Kept across restarts so data written earlier stays writable with the same keys.
        access_key=state.get("access_key") or "demo-" + secrets.token_hex(6),
        secret_key=state.get("secret_key") or secrets.token_urlsafe(24),
        s3_port=port, log_path=project / STATE_DIR / "weed.log")
    click.echo("Starting SeaweedFS on 127.0.0.1 (data in .demo/seaweed, log in .demo/weed.log)…")
    server.start(detach=True, timeout=90)
    _save_state(project, server)
    if preferred_port and server.ports["s3"] != preferred_port:
        click.echo(f"note: port {preferred_port} is busy; the demo uses {server.ports['s3']}")
    return server


def build_everything(project: Path) -> int:
    """Build the shipped designs for every platform in the table; returns the exit code."""
    from ..build.pipeline import build_project
    from ..project.settings import load_settings
    from ..publish.protocol import build_progress_line

    settings = load_settings(project)
    # Designs without their own `platforms:` take the project's list: widen it to the whole
    # table so the demo shows every size (designs that choose platforms keep their choice).
    every = dataclasses.replace(settings, platforms=tuple(PLATFORMS))
    click.echo(f"Building {project / 'designs'} for {len(PLATFORMS)} platforms…")
    result = build_project(every, progress=build_progress_line)
    for e in result.errors:
        click.secho(str(e), fg="red", err=True)
    click.echo(result.summary())
    return result.exit_code


def run(project: Path) -> int:
    """The whole demo; returns the process exit code."""
    from ..project.settings import load_settings
    from ..publish.protocol import make_client, publish, resolve_target

    build_exit = build_everything(project)
    settings = load_settings(project)
    configured = urlsplit(settings.publish.endpoint_url or "")
    preferred = configured.port if configured.hostname in ("127.0.0.1", "localhost") else None
    server = start_server(project, preferred or DEFAULT_S3_PORT)
    bucket = settings.publish.bucket or "madre-shareables"
    server.create_bucket(bucket)
    # The page URL comes from the server actually started (its port may differ from settings).
    target = dataclasses.replace(
        resolve_target(settings.publish, bucket=bucket, endpoint_url=server.endpoint),
        public_url=None)
    client = make_client(target, credentials=(server.access_key, server.secret_key))
    result = publish(project / "output", target, client=client)
    status, _, _ = http_get(result.url)
    if status != 200:
        click.secho(f"the page answered HTTP {status} to an anonymous request", fg="red",
                    err=True)
        return 1
    click.echo("")
    if build_exit:
        click.secho("Some designs failed to build (messages above); the page shows the rest.",
                    fg="yellow")
    click.secho(f"Download page: {result.url}", bold=True)
    click.echo("SeaweedFS keeps serving it in the background (127.0.0.1 only).")
    click.echo(f"Stop it with:  make demo-stop   (or {_python()} -m shareables.local.demo stop)")
    return build_exit


def _python() -> str:
    """This interpreter as a newcomer would type it (.venv/bin/python from the repo root)."""
    exe = Path(sys.executable)
    try:
        return str(exe.relative_to(Path.cwd()))
    except ValueError:
        return str(exe)


def stop(project: Path) -> int:
    state = _load_state(project)
    if not state:
        click.echo("No demo server recorded in .demo/server.json")
        return 0
    server = _server_from(project, state)
    if server.alive():
        server.stop()
        click.echo(f"Stopped SeaweedFS (pid {state.get('pid')})")
    else:
        click.echo("The demo server was not running")
    state["pid"] = None
    _state_file(project).write_text(json.dumps(state, indent=1))
    return 0


def status(project: Path) -> int:
    server = running_server(project)
    if server is None:
        click.echo("The demo server is not running (start it with `make demo`)")
        return 1
    click.echo(f"SeaweedFS running (pid {server.pid}) at {server.endpoint}")
    return 0


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("action", type=click.Choice(["run", "stop", "status"]), default="run")
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, help="Project directory (holds shareables.yaml).")
def main(action: str, project: Path) -> None:
    """Build every design, publish to a local SeaweedFS, print the page URL (or stop it)."""
    project = project.resolve()
    try:
        code = {"run": run, "stop": stop, "status": status}[action](project)
    except (ShareablesError, ErrorList) as e:
        errors = e.errors if isinstance(e, ErrorList) else [e]
        for err in errors:
            click.secho(str(err), fg="red", err=True)
        code = e.exit_code
    except (FileNotFoundError, TimeoutError, RuntimeError) as e:
        click.secho(f"demo: {e}", fg="red", err=True)
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main()
