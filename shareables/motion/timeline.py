"""When each piece of a clip appears: durations, staggering and easing (pure, no Pillow).

A clip is a list of `Segment`s (one per card shown: a single card, each carousel slide, the
end card), each holding `Reveal`s: a unit (word, line, item) that goes from invisible to
fully visible between `start` and `end` seconds of its segment. Segments cross-fade into
each other. The last `hold` seconds show the finished card, which is the still image.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..platforms import FPS

WORD_SECONDS = 0.28
"""Pace of a word reveal: calm reading speed for short quotes (about 210 words a minute)."""
FADE_SECONDS = 0.45
CROSSFADE_SECONDS = 0.5
LEAD_IN = 0.35
"""The background alone before the first word: the eye lands before the text moves."""


def ease(t: float, kind: str = "ease-out") -> float:
    """0..1 -> 0..1; clamps outside the range."""
    t = min(1.0, max(0.0, t))
    if kind == "linear":
        return t
    if kind == "ease-in-out":
        return t * t * (3 - 2 * t)
    return 1 - (1 - t) ** 3  # ease-out (cubic)


@dataclass(frozen=True)
class Reveal:
    start: float
    end: float

    def alpha(self, t: float, easing: str) -> float:
        if t >= self.end:
            return 1.0
        if t <= self.start:
            return 0.0
        return ease((t - self.start) / (self.end - self.start), easing)


def stagger(count: int, start: float, span: float, fade: float = FADE_SECONDS) -> list[Reveal]:
    """``count`` reveals starting evenly over ``span`` seconds from ``start``, each ``fade`` long.

    The last one ends at ``start + span`` (or as soon as its fade allows).
    """
    if count <= 0:
        return []
    fade = min(fade, span) if span > 0 else 0.0
    step = (span - fade) / (count - 1) if count > 1 else 0.0
    return [Reveal(start + i * step, start + i * step + fade) for i in range(count)]


def reading_time(words: int) -> float:
    """Seconds to reveal ``words`` words: paced, within 1.2..9 s."""
    return min(9.0, max(1.2, words * WORD_SECONDS))


def frame_count(seconds: float) -> int:
    return max(1, round(seconds * FPS))


def frame_time(index: int) -> float:
    return index / FPS


@dataclass(frozen=True)
class Plan:
    """Seconds: `reveal` (the main text), `after` (attribution and other items), `hold`."""

    lead: float
    reveal: float
    after: float
    hold: float

    @property
    def duration(self) -> float:
        return self.lead + self.reveal + self.after + self.hold


def single_plan(words: int, has_after: bool, hold: float, duration: float | None) -> Plan:
    """Timing of one card: lead-in, main text, the items after it, the final hold.

    A requested ``duration`` scales the moving part to fit, keeping the hold (shortened only
    when the duration is shorter than the hold plus half a second of movement).
    """
    after = FADE_SECONDS + 0.15 if has_after else 0.0
    natural = Plan(LEAD_IN, reading_time(words), after, hold)
    if duration is None:
        return natural
    hold = min(hold, max(0.0, duration - 0.5))
    moving = duration - hold
    k = moving / (natural.lead + natural.reveal + natural.after)
    return Plan(natural.lead * k, natural.reveal * k, natural.after * k, hold)


def slideshow_holds(words: Sequence[int], duration: float | None, last_hold: float
                    ) -> list[float]:
    """How long each slide stays (cross-fades included): reading time, scaled to a duration."""
    holds = [max(2.0, 1.2 + w * 0.22) for w in words]
    if holds:
        holds[-1] = max(holds[-1], last_hold)
    if duration is not None and holds:
        k = duration / sum(holds)
        holds = [h * k for h in holds]
    return holds
