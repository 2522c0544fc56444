"""The validated data every later stage works on (settings.py and design.py build these).

Frozen dataclasses with resolved absolute paths: a renderer or builder never re-reads YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ShareablesError

RTL_LANGS = frozenset({"ar", "fa", "prs", "ps", "ur", "he", "yi", "ckb", "sd", "ug", "dv"})


def direction_of(lang: str) -> str:
    """'rtl' for right-to-left languages (BCP-47 primary subtag), else 'ltr'."""
    return "rtl" if lang.split("-")[0].lower() in RTL_LANGS else "ltr"


@dataclass(frozen=True)
class Colors:
    background: str = "#5b1f6b"
    text: str = "#ffffff"
    accent: str = "#f2b134"


@dataclass(frozen=True)
class Fonts:
    """Ordered fallback lists of font files (absolute paths), tried glyph by glyph.

    `by_language` holds extra files for one language (its primary subtag), tried before the
    general lists: Noto Nastaliq Urdu for `ur`, where Naskh would otherwise set the letters.
    """

    heading: tuple[Path, ...]
    body: tuple[Path, ...]
    by_language: tuple[tuple[str, tuple[Path, ...], tuple[Path, ...]], ...] = ()

    def for_lang(self, lang: str) -> Fonts:
        """The stacks a variant in `lang` uses (language-specific files first)."""
        code = lang.split("-")[0].lower()
        for name, heading, body in self.by_language:
            if name == code:
                return Fonts(heading + self.heading, body + self.body)
        return Fonts(self.heading, self.body)


@dataclass(frozen=True)
class Background:
    color: str | None = None
    gradient: tuple[str, str] | None = None  # top colour, bottom colour
    image: Path | None = None
    focus: tuple[float, float] = (0.5, 0.5)
    overlay: float = 0.55
    credit: str | None = None
    alt: str | None = None  # what the photo shows, folded into generated alt text


@dataclass(frozen=True)
class Theme:
    """Brand merged with a named theme: everything a renderer needs to know about look."""

    name: str
    colors: Colors
    fonts: Fonts
    background: Background = field(default_factory=Background)


@dataclass(frozen=True)
class Brand:
    name: str
    handle: str | None
    logo: Path | None
    colors: Colors
    fonts: Fonts


@dataclass(frozen=True)
class PublishTarget:
    bucket: str | None = None
    prefix: str = ""
    endpoint_url: str | None = None
    public_url: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Motion:
    """How a design moves in its clips (shareables.motion); a Variant without one has none.

    ``reveal``: words | lines | highlight | none | auto (words for quotes, lines for
    statements, highlight when the text has accents and the preset asks for it).
    ``camera``: kenburns | still | auto (kenburns over a photo). ``duration`` None: from the
    amount of text. ``platforms`` empty: a clip for each image platform that takes video.
    """

    reveal: str = "auto"
    camera: str = "auto"
    duration: float | None = None
    hold: float = 2.0
    easing: str = "ease-out"
    end_card: bool = False
    platforms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    project_dir: Path
    file: Path
    brand: Brand
    themes: dict[str, Theme]
    platforms: tuple[str, ...]
    publish: PublishTarget
    motion: Motion | None = None  # project default for designs that say `motion: true`

    def theme(self, name: str | None) -> Theme:
        """The named theme, or the brand itself as the 'default' theme."""
        if name and name in self.themes:
            return self.themes[name]
        return Theme("default", self.brand.colors, self.brand.fonts)


@dataclass(frozen=True)
class Attribution:
    name: str
    role: str | None = None


@dataclass(frozen=True)
class Variant:
    """One language of one design: the unit that is rendered for each platform."""

    design_id: str
    campaign: str
    kind: str  # quote | statement | tag | carousel
    lang: str
    direction: str  # ltr | rtl
    text: str | None  # quote/statement/carousel body; tag: optional custom call to share
    title: str | None
    date: str | None
    slides: tuple[str, ...] | None  # carousel with explicit slides
    attribution: Attribution | None
    highlight: tuple[str, ...]
    alt: str
    caption: str | None
    theme: Theme
    background: Background  # theme background merged with the design's own
    handle: str | None  # None when the design sets handle: false
    logo: Path | None
    brand_name: str
    platforms: tuple[str, ...]
    source: Path  # the design file (absolute)
    original: bool  # True for the design's own language, False for a translation
    motion: Motion | None = None  # an animated clip too (off unless the design asks)
    alt_custom: bool = False  # `alt` was written by hand (not generated)
    closing: str | None = None  # carousel closing slide's call to share (None: the default)

    @property
    def key(self) -> str:
        return f"{self.campaign}/{self.design_id}/{self.lang}"


@dataclass(frozen=True)
class Design:
    id: str
    campaign: str
    kind: str
    source: Path  # absolute path of the YAML file
    rel: str  # path relative to the project, as printed in errors
    variants: tuple[Variant, ...]
    source_hash: str  # sha256 of the normalised design data (see design.py)
    line: int = 1  # of the `id:` key; in a spreadsheet, the row
    row: int | None = None  # the spreadsheet row this design came from (None: a YAML file)
    warnings: tuple[ShareablesError, ...] = ()  # likely mistakes that still build
