"""The `shareables` command: thin click layer over the library.

Each command parses options, loads settings, calls one library function and turns the
library's exceptions into messages and exit codes (0 ok, 1 some designs failed, 2 usage or
settings). Heavy imports (PIL, cairosvg, boto3) happen inside commands so `--help` is instant.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from .errors import ErrorList, ShareablesError

if TYPE_CHECKING:
    from .project.model import Settings

# The last exit handler (the first registered runs last): move every object out of the cyclic
# collector's reach before the interpreter's final collection, which would otherwise walk the
# whole heap (imports, font and fit caches, the manifest) just before the OS frees it anyway:
# about 50 ms of a build's CPU. Files are closed and flushed by their own code before this.
atexit.register(gc.freeze)

project_option = click.option(
    "--project",
    "project",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Project directory (holds shareables.yaml, designs/, fonts/).",
)


def fail(exc: ShareablesError | ErrorList) -> NoReturn:
    """Print an expected failure once, without a traceback, and exit with its code."""
    errors = exc.errors if isinstance(exc, ErrorList) else [exc]
    for e in errors:
        click.secho(str(e), fg="red", err=True)
    sys.exit(exc.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="shareables")
def main() -> None:
    """Turn YAML designs into platform-sized images, carousels and a download page.

    \b
    A project holds shareables.yaml (brand, themes, platforms, publish target),
    designs/<campaign>/<id>.yaml (one quote, statement, tag or carousel each) and fonts/.

    \b
    Typical session:
      shareables init my-project      scaffold a working project
      shareables validate             check every design, report every problem at once
      shareables build                render what changed into output/
      shareables serve                preview output/ and rebuild on save
      shareables publish              upload to S3-compatible storage, index last
    """


@main.command()
def platforms() -> None:
    """Print the platform table: canvas sizes, formats, byte limits and safe areas."""
    from .platforms import DEFAULT_PLATFORMS, PLATFORMS

    rows = [("id", "canvas", "formats", "limit", "carousel", "safe area (l,t,r,b)")]
    for p in PLATFORMS.values():
        limit = f"{p.max_bytes / 1_000_000:g} MB" if p.max_bytes else "-"
        if p.id == "bluesky":
            limit = "< 1 MB"
        carousel = str(p.carousel_limit) if p.carousel_limit else "-"
        fmt = "/".join(f.upper() for f in p.formats)
        mark = "*" if p.id in DEFAULT_PLATFORMS else " "
        rows.append((f"{p.id}{mark}", f"{p.width}×{p.height}", fmt, limit, carousel,
                     ",".join(str(v) for v in p.safe_box())))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    click.echo("\n* built by default when shareables.yaml has no `platforms:` list")


@main.command()
@click.option("--settings", "which", flag_value="settings",
              help="Schema of shareables.yaml instead.")
@click.option("--design", "which", flag_value="design", default=True, hidden=True)
def schema(which: str) -> None:
    """Print the JSON Schema of design files (or of shareables.yaml with --settings).

    \b
    Editors with a YAML language server validate and complete designs with it:
      shareables schema > .shareables.schema.json
    and put this first line in a design file:
      # yaml-language-server: $schema=../../.shareables.schema.json
    """
    from .project.schema import design_schema, settings_schema

    data = settings_schema() if which == "settings" else design_schema()
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _load_project(project: Path) -> Settings:
    """Settings or exit 2 with every settings problem listed."""
    from .project.settings import load_settings

    try:
        return load_settings(project)
    except (ShareablesError, ErrorList) as e:
        fail(e)


@main.command()
@project_option
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: machine-readable report for CI.")
@click.option("--no-render", is_flag=True,
              help="Skip the render (fit, contrast, glyphs, slide limits): schema only.")
def validate(project: Path, paths: tuple[Path, ...], fmt: str, no_render: bool) -> None:
    """Check settings and designs; report every problem in every file at once.

    \b
    Checks the schema (unknown keys, types, required fields per kind), ids, themes,
    platforms, fonts and files; then renders every design on each of its platforms to
    catch text that cannot fit at the legibility floor, contrast below WCAG AA, characters
    no font has and carousels over a platform's image limit. The renders go into output/
    as a build's would (nothing else there is touched), so the next build reuses them.
    Each problem prints as  designs/x.yaml:LINE:COL: field: what is wrong; how to fix it
    Exit code 0: all good; 1: some designs have problems; 2: shareables.yaml is wrong.
    """
    from .build.validate import validate_project

    settings = _load_project(project)
    bar = _Bar("Checking") if fmt == "text" and sys.stderr.isatty() else None
    try:
        report = validate_project(settings, list(paths) or None, render=not no_render,
                                  progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    if fmt == "json":
        click.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        for e in report.errors:
            click.secho(str(e), fg="red", err=True)
        for w in report.warnings:
            click.secho(f"warning: {w}", fg="yellow", err=True)
        click.echo(report.summary())
    sys.exit(1 if report.errors else 0)


class _Bar:
    """A progress bar on a terminal (never in CI logs or pipes)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def update(self, done: int, total: int, item: Any) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr,
                                         show_pos=True, item_show_func=lambda s: s)
            self.bar.__enter__()
        row = getattr(item, "row", None)
        self.bar.update(1, getattr(item, "rel", "") + (f":{row}" if row else ""))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--brand", default="Our Organisation", show_default=True,
              help="Organisation name drawn on the images and the page.")
@click.option("--handle", default="@ourhandle", show_default=True,
              help="Social handle drawn on every image (e.g. @madrespeaks).")
@click.option("--campaign", default="example", show_default=True,
              help="Name of the first campaign folder (designs/NAME/).")
def init(directory: Path, brand: str, handle: str, campaign: str) -> None:
    """Create a working project in DIRECTORY (a new or empty folder).

    \b
    Makes shareables.yaml, brand/logo.svg, fonts/ (open-licensed, with licences),
    schemas/ (editors check designs offline), requirements.txt (installs this shareables),
    .github/workflows/shareables.yml and one commented design of each kind in
    designs/CAMPAIGN/. Everything in designs/ is published: edit or remove the examples.
    Then:  cd DIRECTORY && shareables validate && shareables build
    """
    from .project.scaffold import init_project

    try:
        made = init_project(directory, brand=brand, handle=handle, campaign=campaign)
    except ShareablesError as e:
        fail(e)
    click.echo(f"Created {len(made)} files in {directory}/ (designs in designs/{campaign}/)")
    click.echo(f"Next: cd {directory} && shareables validate && shareables build")


@main.command()
@project_option
@click.argument("what", type=click.Choice(["quote", "statement", "tag", "carousel",
                                           "campaign"]))
@click.argument("name")
def new(project: Path, what: str, name: str) -> None:
    """Add a design (KIND CAMPAIGN/ID) or a campaign (campaign NAME) to the project.

    \b
      shareables new campaign sudan          designs/sudan/ and a `sudan` theme
      shareables new quote sudan/amal-hope   designs/sudan/amal-hope.yaml, commented
    """
    from .project.scaffold import new_campaign, new_design

    try:
        made = new_campaign(project, name) if what == "campaign" else \
            new_design(project, what, name)
    except ShareablesError as e:
        fail(e)
    shown = made.relative_to(project) if made.is_relative_to(project) else made
    if what == "campaign":
        click.echo(f"Created {shown}/ and its theme `{name}` in shareables.yaml")
        click.echo(f"Next: put a spreadsheet there, or `shareables new quote {name}/ID`")
    else:
        click.echo(f"Created {shown}: edit it, then `shareables validate {shown}`")


@main.command(name="import")
@project_option
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--to-yaml", is_flag=True, required=True,
              help="Write one YAML design file per row (required: the only conversion).")
def import_(project: Path, sheet: Path, to_yaml: bool) -> None:
    """Turn a spreadsheet (designs/CAMPAIGN/NAME.csv or .xlsx) into YAML design files.

    \b
    Each good row becomes designs/CAMPAIGN/ID.yaml (existing files are never overwritten);
    rows with problems are reported as  sheet:ROW:COLUMN: …  and skipped. The sheet is then
    renamed _NAME (ignored), so the designs are not there twice.
    Exit code 0: every row imported; 1: some rows have problems.
    """
    from .project.convert import sheet_to_yaml

    settings = _load_project(project)
    result = sheet_to_yaml(sheet, settings)
    for e in result.errors:
        click.secho(str(e), fg="red", err=True)
    click.echo(f"Wrote {len(result.written)} design files")
    if result.renamed:
        click.echo(f"Renamed {sheet.name} to {result.renamed.name} (ignored from now on)")
    sys.exit(1 if result.errors else 0)


@main.command()
@project_option
@click.option("--dry-run", is_flag=True,
              help="Print the plan (every upload and delete with its size and reason) and stop.")
@click.option("--build", "build_first", is_flag=True,
              help="Build first, rendering only designs that changed since the published "
                   "manifest (for a fresh CI checkout with no output/).")
@click.option("--bucket", envvar="SHAREABLES_BUCKET", help="Override publish.bucket.")
@click.option("--prefix", envvar="SHAREABLES_PREFIX", help="Override publish.prefix.")
@click.option("--endpoint-url", envvar="SHAREABLES_ENDPOINT_URL",
              help="Override publish.endpoint_url (S3-compatible server; omit for AWS S3).")
@click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Directory to publish.  [default: PROJECT/output]")
@click.option("--max-deletes", type=click.IntRange(min=0), default=500, show_default=True,
              help="Fail (deleting nothing) if pruning would delete more objects than this.")
@click.option("--grace", default="7d", show_default=True,
              help="Only prune unreferenced objects older than this (e.g. 48h, 7d).")
@click.option("--no-prune", is_flag=True, help="Upload and switch, but delete nothing.")
@click.option("--force", is_flag=True, help="Upload every object again (repairs a bucket).")
@click.option("--allow-older", is_flag=True,
              help="Publish even if the live site comes from a newer build (a rollback).")
@click.option("--break-lock", is_flag=True,
              help="Take the publish lock even if another publisher holds it (it died).")
@click.option("--jobs", type=click.IntRange(1, 64), default=8, show_default=True,
              help="Parallel uploads.")
@click.option("-v", "--verbose", is_flag=True, help="Log every step (never credentials).")
@click.option("--shard", metavar="K/N",
              help="Build and upload the K-th of N shards and write its partial manifest "
                   "(manifests/partials/RUN_ID/K.json); switches nothing. Needs --run-id.")
@click.option("--run-id", envvar="GITHUB_RUN_ID", metavar="ID",
              help="Names the partial manifests of one sharded run.  [default: $GITHUB_RUN_ID]")
@click.option("--merge", "merge", metavar="RUN_ID",
              help="Validate the N partials of RUN_ID, assemble the site and switch it.")
@click.option("--shards", type=click.IntRange(1, 1000), metavar="N",
              help="With --merge: how many shards ran.")
@click.option("--wait", "wait_s", type=click.FloatRange(0), default=0, show_default=True,
              help="With --merge: seconds to wait for missing partials.")
def publish(project: Path, dry_run: bool, build_first: bool, bucket: str | None,
            prefix: str | None, endpoint_url: str | None, output_dir: Path | None,
            max_deletes: int, grace: str, no_prune: bool, force: bool, allow_older: bool,
            break_lock: bool, jobs: int, verbose: bool, shard: str | None, run_id: str | None,
            merge: str | None, shards: int | None, wait_s: float) -> None:
    """Upload output/ to S3-compatible storage: new files, then the index, then prune.

    \b
    Order: plan -> upload content-addressed files -> verify -> manifest.json -> index.html
    -> prune. A failure at any step leaves the previous page live and complete; rerunning
    uploads only what is missing. Credentials come from the standard AWS chain
    (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, instance role), never from
    shareables.yaml. SHAREABLES_BUCKET, SHAREABLES_PREFIX, SHAREABLES_ENDPOINT_URL
    override the settings like the flags do.
    Exit code 0: published (or up to date); 1: publishing failed; 2: settings, target or
    credentials are wrong.
    """
    import logging

    from .errors import PublishError
    from .publish.plan import parse_duration
    from .publish.protocol import publish_project

    if verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
    try:
        grace_td = parse_duration(grace)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--grace") from None
    from .build.plan import parse_shard

    try:
        shard_kn = parse_shard(shard) if shard else None
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--shard") from None
    if shard_kn and merge:
        raise click.BadParameter("use --shard in the shard jobs and --merge in the last one",
                                 param_hint="--merge")
    sharded: dict[str, Any] = {"shard": shard_kn, "run_id": run_id, "merge": merge,
                               "shards": shards, "wait": wait_s} if shard_kn or merge else {}
    settings = _load_project(project)
    try:
        result = publish_project(settings, output_dir=output_dir, build_first=build_first,
                                 bucket=bucket, prefix=prefix, endpoint_url=endpoint_url,
                                 dry_run=dry_run, max_deletes=max_deletes, grace=grace_td,
                                 prune=not no_prune, force=force, allow_older=allow_older,
                                 break_lock=break_lock, jobs=jobs, **sharded)
    except (PublishError, ShareablesError, ErrorList) as e:
        fail(e)
    sys.exit(result.build_exit_code)


@main.command()
@project_option
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--platform", "platforms", multiple=True, metavar="ID",
              help="Build only this platform (repeat, or comma-separate). Others are kept.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Render processes.  [default: number of cores]")
@click.option("--force", is_flag=True, help="Re-render everything, ignoring the cache.")
@click.option("--shard", metavar="K/N",
              help="Build the K-th of N deterministic slices of the designs (CI matrix).")
@click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Output directory.  [default: PROJECT/output]")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: per-artefact status report for CI.")
@click.option("--executor", metavar="process|dask://HOST:PORT", default=None,
              help="Where renders run: local processes (default) or a Dask scheduler "
                   "(pip install 'shareables[dask]').")
@click.option("--from", "from_url", metavar="URL", is_flag=False, flag_value="published",
              default=None,
              help="Download unchanged renders from a published site instead of rendering "
                   "them (SHA-256 verified). Without URL: publish.public_url.")
def build(project: Path, paths: tuple[Path, ...], platforms: tuple[str, ...], jobs: int | None,
          force: bool, shard: str | None, output_dir: Path | None, fmt: str,
          executor: str | None, from_url: str | None) -> None:
    """Render what changed into output/: images, carousels, PDFs, zips, manifest, index.html.

    \b
    Only artefacts whose inputs changed are rendered (design text, theme, font, logo and
    photo bytes, platform spec, renderer version); unchanged ones are reused. A design that
    fails is reported as  designs/x.yaml:LINE:COL: field: message  and skipped: its
    previous outputs stay, every other design is built. PATHS limit the build to some
    designs (the rest of output/ is kept). Files no design produces any more are deleted
    after a successful build. A build killed at any moment leaves output/manifest.json and
    every file it lists intact; the next build completes the work.
    Exit code 0: all built; 1: some designs failed; 2: usage or settings error.
    """
    from .build.executor import parse_executor
    from .build.pipeline import Progress, build_project
    from .build.plan import parse_shard
    from .build.remote import fetch_published
    from .platforms import PLATFORMS
    from .project.schema import did_you_mean

    wanted = [p.strip() for value in platforms for p in value.split(",") if p.strip()]
    for pid in wanted:
        if pid not in PLATFORMS:
            hint = did_you_mean(pid, PLATFORMS) or "see `shareables platforms`"
            raise click.BadParameter(f"unknown platform {pid!r}; {hint}", param_hint="--platform")
    try:
        shard_kn = parse_shard(shard) if shard else None
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--shard") from None
    try:
        executor = parse_executor(executor)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--executor") from None

    tty = sys.stderr.isatty() and fmt == "text"
    bar: Any = None

    def progress(p: Progress) -> None:
        nonlocal bar
        if tty:
            if bar is None:
                bar = click.progressbar(length=p.total, label="Rendering", file=sys.stderr,
                                        show_pos=True, item_show_func=lambda s: s)
                bar.__enter__()
            bar.update(1, p.label)
            if p.done == p.total:
                bar.__exit__(None, None, None)
                bar = None
        else:  # CI logs: one plain line per finished job, no control characters
            width = len(str(p.total))
            click.echo(f"[{p.done:>{width}}/{p.total}] {p.label}{'' if p.ok else ' FAILED'}",
                       err=True)

    settings = _load_project(project)
    try:
        published = fetch_published(_site_url(settings, from_url)) if from_url else None
        result = build_project(settings, list(paths) or None, output_dir=output_dir,
                               force=force, jobs=jobs, platforms=wanted or None,
                               shard=shard_kn, progress=progress, executor=executor,
                               published=published)
    except (ShareablesError, ErrorList) as e:
        fail(e)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if fmt == "json":
        click.echo(result.json_text())
    else:
        for problem in result.errors:
            click.secho(str(problem), fg="red", err=True)
        for note in result.notes:
            click.echo(f"note: {note}", err=True)
        click.echo(result.summary())
    sys.exit(result.exit_code)


def _site_url(settings: Settings, from_url: str) -> str:
    """`--from URL` as given; bare `--from`: where publish puts the site (public_url first)."""
    if from_url != "published":
        return from_url
    from .publish.s3 import PublishConfigError, resolve_target

    env = os.environ.get
    try:
        return resolve_target(settings.publish, bucket=env("SHAREABLES_BUCKET") or None,
                              prefix=env("SHAREABLES_PREFIX") or None,
                              endpoint_url=env("SHAREABLES_ENDPOINT_URL") or None).base_url()
    except PublishConfigError as e:
        raise click.BadParameter(f"no published site to read: {e.message}",
                                 param_hint="--from") from None


@main.command()
@project_option
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port on 127.0.0.1 (0: any free port).  [default: 8000, or a free port "
                   "when 8000 is busy]")
@click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Output directory.  [default: PROJECT/output]")
@click.option("--no-build", is_flag=True,
              help="Serve output/ as it is: no build at start, no rebuild on save.")
def serve(project: Path, port: int | None, output_dir: Path | None, no_build: bool) -> None:
    """Preview the download page and images at http://127.0.0.1:PORT/, rebuilding on save.

    \b
    Builds once, then watches designs/, shareables.yaml, brand/, fonts/ and photos/: when a
    file is saved it rebuilds what changed and the open page reloads itself. Build problems
    are printed here and listed at the top of the page. Only this computer can open the
    preview (it listens on 127.0.0.1). Stop with Ctrl+C.
    """
    from .local.serve import Preview, build_rebuilder

    settings = _load_project(project)
    out = output_dir or settings.project_dir / "output"
    rebuild = None if no_build else build_rebuilder(settings.project_dir, out)
    try:
        preview = Preview(out, project_dir=settings.project_dir, rebuild=rebuild,
                          port=8000 if port is None else port, any_free=port is None,
                          log=lambda m: click.echo(m, err=True))
    except ShareablesError as e:
        raise click.BadParameter(str(e), param_hint="--port") from None
    if rebuild is not None:
        click.echo("first build…", err=True)
        preview.run_rebuild()
    url = preview.start()
    click.echo(f"Serving {out} at {url}  (Ctrl+C to stop)", err=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        preview.stop()
