"""`shareables init`: a small working project to start from (one design of each kind)."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import SettingsError
from .settings import DEFAULT_FONTS

SETTINGS = """\
# yaml-language-server: $schema=https://shareables.example.org/schema/settings.json
# Project settings. Every key is explained in `shareables --help` and the README.
brand:
  name: Our Organisation
  handle: "@ourhandle"            # drawn on every image unless a design sets handle: false
  logo: brand/logo.svg            # SVG; rasterised at each size, never scaled as a bitmap
  colors: {background: "#5b1f6b", text: "#ffffff", accent: "#f2b134"}
  fonts:                          # files in fonts/, tried in order glyph by glyph
    heading: [NotoSerif-Bold.ttf, NotoNaskhArabic-Bold.ttf, NotoSansHebrew-Bold.ttf, NotoColorEmoji.ttf]
    body: [NotoSans-Regular.ttf, NotoNaskhArabic-Regular.ttf, NotoSansHebrew-Regular.ttf, NotoColorEmoji.ttf]

themes:                           # named overrides; a campaign folder uses the theme of its name
  example: {colors: {background: "#1b2a41", accent: "#f2b134"}}

platforms: [instagram-portrait, instagram-square, instagram-story, x, facebook, linkedin]

publish:
  bucket: my-shareables
  prefix: shareables/
  # endpoint_url: http://127.0.0.1:8333   # any S3-compatible store; omit for AWS S3
  # public_url: https://shareables.example.org/
"""

DESIGNS = {
    "quote.yaml": """\
# A quote: the words, who said them, and phrases to draw in the accent colour.
kind: quote
text: Solidarity is not a feeling. It is something we do, together, every day.
attribution:
  name: A. Supporter
  role: Community organiser
highlight: ["something we do"]
caption: Share if you agree. @ourhandle
""",
    "statement.yaml": """\
# A statement: optional title and date, then the text. **double stars** = accent colour.
kind: statement
title: Our statement
date: January 1, 2026
text: >-
  Every person deserves safety, dignity and a voice. We stand with the **communities**
  defending those rights.
""",
    "tag.yaml": """\
# A call to share, built around the brand handle.
kind: tag
text: Download and share on social media, don't forget to tag us! @ourhandle
""",
    "carousel.yaml": """\
# A carousel: a cover title, then text split into slides at paragraph and sentence breaks.
kind: carousel
title: Three things to know
text: |-
  First, rights are universal. They belong to everyone, everywhere.

  Second, accountability matters. Those who commit abuses must answer for them.

  Third, solidarity works. Share this and tag us so more people see it.
""",
}

LOGO = """\
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120" width="120" height="120">
  <circle cx="60" cy="60" r="56" fill="#ffffff"/>
  <path d="M36 40h48a8 8 0 0 1 8 8v22a8 8 0 0 1-8 8H58l-14 12V78h-8a8 8 0 0 1-8-8V48a8 8 0 0 1
           8-8z" fill="#5b1f6b"/>
</svg>
"""


def vendored_fonts_dir() -> Path:
    """The fonts shipped with shareables (a source checkout's fonts/)."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "fonts", here.parent.parent / "fonts"):
        if (candidate / "NotoSans-Regular.ttf").is_file():
            return candidate
    raise SettingsError("cannot find the vendored fonts",
                        hint="reinstall shareables from a full checkout (fonts/ is part of it)")


def init_project(target: Path) -> list[Path]:
    """Create a project in `target`; never overwrites an existing file. Returns files made."""
    target = Path(target)
    if (target / "shareables.yaml").exists():
        raise SettingsError(f"{target / 'shareables.yaml'} already exists",
                            hint="init only creates new projects; edit the existing one")
    files: dict[Path, str] = {target / "shareables.yaml": SETTINGS,
                              target / "brand" / "logo.svg": LOGO}
    for name, text in DESIGNS.items():
        files[target / "designs" / "example" / name] = text
    made: list[Path] = []
    for path, text in files.items():
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        made.append(path)
    src = vendored_fonts_dir()
    fonts = target / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    wanted = {n for names in DEFAULT_FONTS.values() for n in names}
    for f in sorted(src.iterdir()):
        if (f.name in wanted or f.name.startswith("LICENSE")) and not (fonts / f.name).exists():
            shutil.copy2(f, fonts / f.name)
            made.append(fonts / f.name)
    (target / ".gitignore").exists() or (target / ".gitignore").write_text("output/\n")
    return made
