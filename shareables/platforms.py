"""The platform table: sizes, formats, byte limits and safe areas, as data.

Ids are stable: add platforms, never rename one. Everything that needs to know about a
platform (layout, encoder, build, download page) reads it from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MARGIN_FRACTION = 0.06
"""Every image keeps at least this fraction of its shorter side free of text and logos."""

MIN_BODY_PX_PER_1080 = 30
"""Legibility floor: body text is at least 30 px per 1080 px of canvas width."""


@dataclass(frozen=True)
class Insets:
    """Pixels from each edge that text and logos must stay out of."""

    left: int = 0
    top: int = 0
    right: int = 0
    bottom: int = 0


@dataclass(frozen=True)
class Platform:
    id: str
    label: str
    width: int
    height: int
    formats: tuple[str, ...]
    """Encodings in order of preference; the encoder falls through when one is over a limit."""
    max_bytes: int | None
    """Hard limit for any file on this platform (None: no practical limit)."""
    carousel_limit: int | None
    """Most images in one post (None: the platform takes single images only)."""
    safe: Insets = field(default_factory=Insets)
    """Platform UI zones (story bars, grid crops) to keep clear, on top of the 6 % margin."""
    format_max_bytes: tuple[tuple[str, int], ...] = ()
    """Per-format limits, e.g. Facebook keeps PNG only while it is under 1 MB."""
    document: bool = False
    """A multi-page PDF of a carousel rather than images (LinkedIn documents)."""
    max_pages: int | None = None
    note: str = ""

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    @property
    def aspect(self) -> float:
        return self.width / self.height

    @property
    def margin(self) -> int:
        """The 6 % margin in pixels (of the shorter side), rounded up."""
        return -(-int(min(self.width, self.height) * MARGIN_FRACTION * 100) // 100)

    @property
    def min_body_px(self) -> int:
        return -(-self.width * MIN_BODY_PX_PER_1080 // 1080)

    def limit_for(self, fmt: str) -> int | None:
        """Byte limit for one encoding: the tighter of the platform and format limits."""
        limits = [n for f, n in self.format_max_bytes if f == fmt]
        if self.max_bytes is not None:
            limits.append(self.max_bytes)
        return min(limits) if limits else None

    def safe_box(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) of the region where text and logos may go."""
        m = self.margin
        return (
            max(m, self.safe.left),
            max(m, self.safe.top),
            self.width - max(m, self.safe.right),
            self.height - max(m, self.safe.bottom),
        )


MB = 1_000_000
_STORY_SAFE = Insets(top=270, bottom=384)

PLATFORMS: dict[str, Platform] = {
    p.id: p
    for p in [
        Platform("instagram-square", "Instagram square", 1080, 1080, ("jpeg",), 8 * MB, 20),
        Platform(
            "instagram-portrait", "Instagram portrait", 1080, 1350, ("jpeg",), 8 * MB, 20,
            safe=Insets(left=34, right=34),
            note="key text inside the central 1012 px (3:4 grid crop)",
        ),
        Platform(
            "instagram-story", "Instagram story", 1080, 1920, ("png", "jpeg"), 8 * MB, None,
            safe=_STORY_SAFE, note="top 14 % and bottom 20 % kept clear for the story UI",
        ),
        Platform(
            "facebook", "Facebook", 1080, 1350, ("png", "jpeg"), None, 10,
            format_max_bytes=(("png", 1 * MB),), note="PNG while under 1 MB, else JPEG",
        ),
        Platform(
            "og", "Link preview", 1200, 630, ("png", "jpeg"), 1 * MB, None,
            note="Open Graph / Twitter card image for links",
        ),
        Platform("x", "X (Twitter)", 1600, 900, ("png", "jpeg"), 5 * MB, 4),
        Platform("linkedin", "LinkedIn", 1200, 627, ("png", "jpeg"), 5 * MB, 20),
        Platform(
            "linkedin-document", "LinkedIn document", 1080, 1350, ("pdf",), 100 * MB, 300,
            document=True, max_pages=300, note="carousels only: one PDF page per slide",
        ),
        Platform("threads", "Threads", 1080, 1350, ("jpeg", "png"), 8 * MB, 20),
        Platform("bluesky", "Bluesky", 1600, 900, ("jpeg", "webp"), 1 * MB - 1, 4),
        Platform("pinterest", "Pinterest", 1000, 1500, ("png", "jpeg"), 20 * MB, 5),
        Platform(
            "whatsapp-status", "WhatsApp status", 1080, 1920, ("jpeg",), 16 * MB, None,
            safe=_STORY_SAFE, note="same safe area as stories",
        ),
    ]
}

DEFAULT_PLATFORMS: tuple[str, ...] = (
    "instagram-portrait",
    "instagram-square",
    "instagram-story",
    "x",
    "facebook",
    "linkedin",
)

EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "pdf": "pdf"}
CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "zip": "application/zip",
}


def get(platform_id: str) -> Platform:
    return PLATFORMS[platform_id]
