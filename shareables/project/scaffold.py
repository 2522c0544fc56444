"""`shareables init` and `shareables new`: a working project, and designs added to it.

`init_project` writes settings, the brand logo, fonts, JSON Schemas (so editors validate
offline), one commented design of each kind, `requirements.txt` that installs this shareables
and a CI workflow (`workflow_template`, the hook the CI owners fill). `new_design` and
`new_campaign` add to an existing project from the same commented templates.
"""

from __future__ import annotations

import json
import re
import shutil
from importlib import resources
from pathlib import Path

from ..errors import SettingsError
from .ci import ci_files
from .schema import ID_PATTERN, KINDS, design_schema, settings_schema
from .settings import DEFAULT_FONTS, DEFAULT_FONTS_BY_LANGUAGE

SCHEMA_LINE = "# yaml-language-server: $schema=../../schemas/design.schema.json\n"

SETTINGS = """\
# yaml-language-server: $schema=schemas/settings.schema.json
# Project settings. An editor with a YAML language server explains and completes every key
# from schemas/ (offline); `shareables schema --settings` prints the same schema.
brand:
  name: __BRAND__
  handle: "__HANDLE__"            # drawn on every image unless a design sets handle: false
  logo: brand/logo.svg            # SVG; rasterised at each size, never scaled as a bitmap
  colors: {background: "#5b1f6b", text: "#ffffff", accent: "#f2b134"}
  fonts:                          # files in fonts/, tried in order glyph by glyph
    heading: [NotoSerif-Bold.ttf, NotoNaskhArabic-Bold.ttf, NotoSerifHebrew-Bold.ttf, NotoColorEmoji.ttf]
    body: [NotoSans-Regular.ttf, NotoNaskhArabic-Regular.ttf, NotoSansHebrew-Regular.ttf, NotoColorEmoji.ttf]
    by_language:                  # tried first for variants in that language
      ur: {heading: [NotoNastaliqUrdu-Bold.ttf], body: [NotoNastaliqUrdu-Regular.ttf]}

themes:                           # named looks; a campaign folder uses the theme of its name
__THEMES__
platforms: [instagram-portrait, instagram-square, instagram-story, x, facebook, linkedin]

publish:
  bucket: my-shareables
  prefix: shareables/
  # endpoint_url: http://127.0.0.1:8333   # any S3-compatible store; omit for AWS S3
  # public_url: https://shareables.example.org/   # lets `publish --dry-run` work without keys
"""

THEME = '  __NAME__: {colors: {background: "__BG__", accent: "#f2b134"}}\n'
_THEME_COLOURS = ("#1b2a41", "#3d1f4e", "#123c3a", "#4a2318", "#1f3350")

TEMPLATES = {
    "quote": """\
# A quote: the words, who said them, and phrases to draw in the accent colour.
kind: quote
text: Solidarity is not a feeling. It is something we do, together, every day.
attribution:
  name: A. Supporter              # required
  role: Community organiser       # optional
highlight: ["something we do"]    # copied exactly from the text
caption: "Share if you agree. #Solidarity __HANDLE__"   # quotes keep #tags in the caption
""",
    "statement": """\
# A statement: optional title and date, then the text. **double stars** = accent colour.
kind: statement
title: Our statement
date: January 1, 2026
text: >-
  Every person deserves safety, dignity and a voice. We stand with the **communities**
  defending those rights.
caption: "Read our statement and share it. __HANDLE__"
""",
    "tag": """\
# A call to share, built around the brand handle.
kind: tag
text: Download and share on social media, don't forget to tag us! __HANDLE__
""",
    "carousel": """\
# A carousel: a cover title, then text split into slides at paragraph and sentence breaks.
kind: carousel
title: Three things to know
text: |-
  First, rights are universal. They belong to everyone, everywhere.

  Second, accountability matters. Those who commit abuses must answer for them.

  Third, solidarity works. Share this and tag us so more people see it.
# platforms: {exclude: [x]}       # leave a platform out (X takes at most 4 images)
""",
}

LOGO = """\
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120" width="120" height="120">
  <circle cx="60" cy="60" r="56" fill="#ffffff"/>
  <path d="M36 40h48a8 8 0 0 1 8 8v22a8 8 0 0 1-8 8H58l-14 12V78h-8a8 8 0 0 1-8-8V48a8 8 0 0 1
           8-8z" fill="#5b1f6b"/>
</svg>
"""

MINIMAL_WORKFLOW = """\
# Validate and build on every pull request; build and publish on main.
# Needs secrets AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (write access to the bucket only).
name: shareables
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  shareables:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: sudo apt-get update -qq && sudo apt-get install -y -qq libraqm0 libcairo2
      - run: python -m pip install -r requirements.txt
      - run: shareables validate
      - run: shareables build
      - if: github.ref == 'refs/heads/main' && github.event_name == 'push'
        run: shareables publish
        env:
          AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
"""


def workflow_template() -> str:
    """The CI workflow `init` writes: the packaged template when there is one (owned by the
    CI work), else a minimal validate/build/publish workflow."""
    try:
        return (resources.files("shareables.project") / "templates" / "workflow.yml").read_text()
    except (FileNotFoundError, OSError):
        return MINIMAL_WORKFLOW


def requirement() -> str:
    """A pip requirement for the shareables that is running (so a project installs the same
    one): its git URL and commit, or its source folder, as pip recorded the install."""
    from importlib import metadata

    try:
        dist = metadata.distribution("shareables")
        direct = json.loads(dist.read_text("direct_url.json") or "{}")
    except (metadata.PackageNotFoundError, ValueError):
        return "shareables"
    url = direct.get("url", "")
    vcs = direct.get("vcs_info") or {}
    if vcs.get("vcs") == "git":
        return f"shareables @ git+{url}@{vcs.get('commit_id', '')}".rstrip("@")
    if url:
        return f"shareables @ {url}"
    return f"shareables=={dist.version}"


def vendored_fonts_dir() -> Path:
    """The fonts shipped with shareables (a source checkout's fonts/)."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "fonts", here.parent.parent / "fonts",
                      here.parent.parent.parent / "fonts"):
        if (candidate / "NotoSans-Regular.ttf").is_file():
            return candidate
    raise SettingsError("cannot find the vendored fonts",
                        hint="reinstall shareables from a full checkout (fonts/ is part of it)")


def _fill(text: str, handle: str) -> str:
    return text.replace("__HANDLE__", handle)


def write_schemas(target: Path) -> list[Path]:
    """schemas/*.schema.json for editors, from the schemas the loader enforces."""
    out = []
    for name, schema in (("design", design_schema()), ("settings", settings_schema())):
        path = target / "schemas" / f"{name}.schema.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        out.append(path)
    return out


def init_project(target: Path, *, brand: str = "Our Organisation", handle: str = "@ourhandle",
                 campaign: str = "example") -> list[Path]:
    """Create a project in `target` (new or empty folder). Returns the files made."""
    target = Path(target)
    if (target / "shareables.yaml").exists():
        raise SettingsError(f"{target / 'shareables.yaml'} already exists",
                            hint="init only creates new projects; add to this one with "
                                 "`shareables new campaign NAME` or `shareables new quote "
                                 "CAMPAIGN/ID`")
    if target.is_dir() and any(p for p in target.iterdir() if p.name not in (".git",)):
        raise SettingsError(f"{target}/ is not empty and is not a shareables project",
                            hint="init makes a new project in a new or empty folder, e.g. "
                                 "`shareables init my-shareables`")
    if not re.match(ID_PATTERN, campaign):
        raise SettingsError(f"{campaign!r} is not a valid campaign name",
                            hint="use lowercase letters, digits and hyphens, e.g. sudan")
    handle = "@" + handle.lstrip("@")
    settings = (SETTINGS.replace("__BRAND__", brand.replace('"', "'")).replace("__HANDLE__", handle)
                .replace("__THEMES__", THEME.replace("__NAME__", campaign)
                         .replace("__BG__", _THEME_COLOURS[0])))
    files: dict[Path, str] = {
        target / "shareables.yaml": settings,
        target / "brand" / "logo.svg": LOGO,
        target / "requirements.txt": "# installs the shareables this project was made with\n"
                                     f"{requirement()}\n",
        target / ".github" / "workflows" / "shareables.yml": workflow_template(),
        **{target / rel: text for rel, text in ci_files().items()},  # workflow + lock (ci.py)
        target / ".gitignore": "output/\n.shareables/\n",
    }
    for kind, text in TEMPLATES.items():
        files[target / "designs" / campaign / f"{kind}.yaml"] = SCHEMA_LINE + _fill(text, handle)
    made: list[Path] = []
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        made.append(path)
    made += write_schemas(target)
    src = vendored_fonts_dir()
    fonts = target / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    wanted = {n for names in DEFAULT_FONTS.values() for n in names} | {
        n for roles in DEFAULT_FONTS_BY_LANGUAGE.values() for names in roles.values() for n in names}
    for f in sorted(src.iterdir()):
        if f.name in wanted or f.name.startswith("LICENSE"):
            shutil.copy2(f, fonts / f.name)
            made.append(fonts / f.name)
    return made


def _handle_of(project: Path) -> str:
    m = re.search(r'^\s*handle:\s*"?(@?[\w.]+)', (project / "shareables.yaml").read_text(),
                  re.M)
    return m.group(1) if m else "@ourhandle"


def _require_project(project: Path) -> None:
    if not (project / "shareables.yaml").is_file():
        raise SettingsError(f"{project}/ is not a shareables project (no shareables.yaml)",
                            hint="run it inside a project, or make one: `shareables init DIR`")


def new_design(project: Path, kind: str, where: str) -> Path:
    """designs/<campaign>/<id>.yaml from the commented template of `kind`."""
    _require_project(project)
    if kind not in KINDS:
        raise SettingsError(f"unknown kind {kind!r}", hint="one of: " + ", ".join(KINDS))
    campaign, _, design_id = where.strip("/").partition("/")
    for value, what in ((campaign, "campaign"), (design_id, "id")):
        if not re.match(ID_PATTERN, value or ""):
            raise SettingsError(f"{where!r}: {value!r} is not a valid {what}",
                                hint="write CAMPAIGN/ID in lowercase letters, digits and "
                                     "hyphens, e.g. `shareables new quote sudan/amal-hope`")
    path = project / "designs" / campaign / f"{design_id}.yaml"
    if path.exists():
        raise SettingsError(f"{path.relative_to(project)} already exists",
                            hint="choose another id, or edit that file")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SCHEMA_LINE + _fill(TEMPLATES[kind], _handle_of(project)), encoding="utf-8")
    if not (project / "schemas" / "design.schema.json").exists():
        write_schemas(project)
    return path


def new_campaign(project: Path, name: str) -> Path:
    """designs/<name>/ and a theme of that name in shareables.yaml (comments kept)."""
    _require_project(project)
    if not re.match(ID_PATTERN, name):
        raise SettingsError(f"{name!r} is not a valid campaign name",
                            hint="use lowercase letters, digits and hyphens, e.g. sudan")
    folder = project / "designs" / name
    if folder.exists():
        raise SettingsError(f"designs/{name}/ already exists",
                            hint=f"add designs to it: `shareables new quote {name}/ID`")
    settings_file = project / "shareables.yaml"
    text = settings_file.read_text(encoding="utf-8")
    count = len(re.findall(r"^  [a-z0-9-]+:", text.split("themes:", 1)[-1].split("\n\n")[0],
                           re.M))
    theme = THEME.replace("__NAME__", name).replace(
        "__BG__", _THEME_COLOURS[count % len(_THEME_COLOURS)])
    if re.search(r"^themes:.*$", text, re.M):
        text = re.sub(r"^(themes:.*\n)", lambda m: m.group(1) + theme, text, count=1, flags=re.M)
    else:
        text = text.rstrip("\n") + "\n\nthemes:\n" + theme
    # Re-read before writing: a broken result must never replace a good settings file.
    import yaml

    try:
        yaml.safe_load(text)
    except yaml.YAMLError:
        text = ""  # an unusual `themes:` layout: leave the settings alone
    folder.mkdir(parents=True)
    if text:
        settings_file.write_text(text, encoding="utf-8")
    return folder
