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


# --- clips (shareables.motion) -----------------------------------------------------------


@dataclass(frozen=True)
class ClipProfile:
    """What one platform takes as a video post, and the limits a clip is checked against.

    Every clip is H.264 High, yuv420p, 30 fps constant frame rate, closed GOP, MP4 with the
    index (moov) before the data (+faststart) and no edit lists. ``source`` names the
    platform document each limit comes from (docs/motion.md has the links and dates).
    """

    id: str
    label: str
    width: int
    height: int
    image: str
    """The image platform whose layout (safe areas, carousel limit) the clip takes."""
    audio: bool
    """A silent AAC track is added: the platform's upload spec asks for an audio stream."""
    max_kbps: int
    """Our cap on the video bitrate (the platform's own ceiling is at or above it)."""
    max_bytes: int
    min_seconds: float
    max_seconds: float
    source: str


FPS = 30
CLIPS: dict[str, ClipProfile] = {
    c.id: c
    for c in [
        ClipProfile("instagram-reel", "Instagram Reels & Stories", 1080, 1920, "instagram-story",
                    True, 8_000, 100 * MB, 3.0, 60.0,
                    "Instagram Graph API, Reels/Stories video specifications"),
        ClipProfile("instagram-feed-video", "Instagram feed video", 1080, 1350,
                    "instagram-portrait", True, 8_000, 100 * MB, 3.0, 60.0,
                    "Instagram Graph API, video specifications"),
        ClipProfile("tiktok", "TikTok", 1080, 1920, "instagram-story", False, 8_000, 287 * MB,
                    3.0, 600.0, "TikTok Content Posting API, video restrictions"),
        ClipProfile("x-video", "X (Twitter) video", 1280, 720, "x", False, 6_000, 512 * MB, 0.5,
                    140.0, "X API media upload, video recommendations"),
        ClipProfile("bluesky-video", "Bluesky video", 1280, 720, "bluesky", False, 6_000,
                    100 * MB, 0.5, 180.0, "Bluesky app.bsky.embed.video lexicon and blog"),
        ClipProfile("whatsapp-status-video", "WhatsApp status video", 1080, 1920,
                    "whatsapp-status", False, 6_000, 16 * MB, 1.0, 60.0,
                    "WhatsApp Cloud API supported media types"),
    ]
}
CLIP_FOR_IMAGE: dict[str, tuple[str, ...]] = {
    "instagram-story": ("instagram-reel",),
    "instagram-portrait": ("instagram-feed-video",),
    "x": ("x-video",),
    "bluesky": ("bluesky-video",),
    "whatsapp-status": ("whatsapp-status-video",),
}
"""Clips a design gets by default: one for each of its image platforms that has a video post."""

EXTENSIONS.update({"mp4": "mp4", "vtt": "vtt"})
CONTENT_TYPES.update({"mp4": "video/mp4", "vtt": "text/vtt"})


def clip_platform(clip_id: str) -> Platform:
    """The image platform a clip is laid out on, at the clip's size and under the clip's id."""
    import dataclasses

    c = CLIPS[clip_id]
    base = PLATFORMS[c.image]
    sx, sy = c.width / base.width, c.height / base.height
    s = base.safe
    safe = Insets(round(s.left * sx), round(s.top * sy), round(s.right * sx),
                  round(s.bottom * sy))
    return dataclasses.replace(base, id=c.id, label=c.label, width=c.width, height=c.height,
                               formats=("mp4",), max_bytes=c.max_bytes, safe=safe,
                               format_max_bytes=())


def target(pid: str) -> Platform:
    """A build job's platform: an image platform, or a clip laid out as its image platform."""
    return PLATFORMS[pid] if pid in PLATFORMS else clip_platform(pid)
