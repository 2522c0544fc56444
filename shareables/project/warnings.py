"""Warnings for mistakes that load fine and publish the wrong thing.

- an unquoted value followed by ` #…`: YAML drops everything from ` #` as a comment;
- a highlight phrase that is not in its text: nothing is highlighted;
- a caption longer than a platform accepts, counted the way that platform counts.

A warning never stops a build; `validate` and `build` print them with file:line:col.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import ShareablesError


class DesignWarning(ShareablesError):
    """A likely mistake in a design that still builds (printed, never fatal)."""

    exit_code = 0


TEXT_FIELDS = frozenset({"text", "title", "caption", "alt", "date", "highlight", "slides",
                         "attribution", "credit", "closing"})


def _utf16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def _graphemes(s: str) -> int:
    from uniseg.graphemecluster import grapheme_clusters  # UAX #29, what a reader sees

    return sum(1 for _ in grapheme_clusters(s))


def _x_weighted(s: str) -> int:
    from twitter_text import parse_tweet  # X's own counting: links 23, emoji and CJK 2

    return int(parse_tweet(s).weightedLength)


def _threads(s: str) -> int:
    # Threads: 500 characters, each emoji counted as its UTF-8 bytes.
    from twitter_text.extract_emojis import extract_emojis_with_indices

    total = len(s)
    for e in extract_emojis_with_indices(s):
        emoji = e["emoji"]
        total += len(emoji.encode()) - len(emoji)
    return total


# Platform -> (name, limit, how it counts, counter). Instagram and LinkedIn count UTF-16 code
# units (an emoji is 2); Bluesky counts what a reader sees as one character (graphemes).
CAPTION_LIMITS: dict[str, tuple[str, int, str, Callable[[str], int]]] = {
    "x": ("X", 280, "links count 23, emoji 2", _x_weighted),
    "bluesky": ("Bluesky", 300, "as characters you see", _graphemes),
    "threads": ("Threads", 500, "emoji count as their bytes", _threads),
    "instagram": ("Instagram", 2200, "emoji count 2", _utf16),
    "linkedin": ("LinkedIn", 3000, "emoji count 2", _utf16),
}


def _surely_within(family: str, caption: str, limit: int) -> bool:
    """An upper bound of the count is within the limit (most captions): the exact counters,
    X's above all, cost far more than the whole rest of loading a design.

    No count exceeds the UTF-8 length (graphemes <= code points; UTF-16 units <= bytes;
    Threads adds each emoji's extra bytes), nor for X twice the code points after NFC (X
    counts the normalised text; NFC can lengthen Hebrew presentation forms) plus 23 per link
    (every link has a dot or a colon, counted generously).
    """
    if family == "x":
        links = sum(caption.count(c) for c in ".:。．｡")
        return 2 * len(unicodedata.normalize("NFC", caption)) + 23 * links <= limit
    return len(caption.encode("utf-8")) <= limit


def _family(pid: str) -> str | None:
    for fam in CAPTION_LIMITS:
        if pid == fam or pid.startswith(fam + "-"):
            return fam
    return None


def caption_warning(caption: str, platforms: Iterable[str], where: tuple[Any, ...],
                    file: str, field: str) -> DesignWarning | None:
    """One warning naming every platform the caption is too long for, or None."""
    over: list[str] = []
    tightest: int | None = None
    for fam in dict.fromkeys(f for p in platforms if (f := _family(p))):
        name, limit, how, count = CAPTION_LIMITS[fam]
        if _surely_within(fam, caption, limit):
            continue
        n = count(caption)
        if n > limit:
            over.append(f"{name} ({n:,} of {limit:,}; {how})")
            tightest = limit if tightest is None else min(tightest, limit)
    if not over:
        return None
    return DesignWarning(
        "the caption is too long for " + ", ".join(over), file=file, line=where[0],
        col=where[1], field=field,
        hint=f"shorten it to {tightest:,} characters so supporters can paste it as it is")


_QUOTES = str.maketrans({c: "'" for c in "’‘׳`´"} | {c: '"' for c in "“”«»„״"})


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFC", s).translate(_QUOTES).replace("**", "")
    s = s.replace("...", "…").replace("\u00a0", " ")
    return " ".join(s.split()).casefold()


def closest(phrase: str, text: str) -> str | None:
    """The stretch of `text` most like `phrase` (same number of words, give or take one)."""
    words = text.split()
    n = len(phrase.split())
    best, best_score = None, 0.6
    for size in {max(1, n - 1), n, n + 1}:
        for i in range(0, max(1, len(words) - size + 1)):
            cand = " ".join(words[i : i + size]).strip(".,;:!?\"'“”‘’«»()")
            score = difflib.SequenceMatcher(None, _norm(phrase), _norm(cand)).ratio()
            if score > best_score:
                best, best_score = cand, score
    return best


def highlight_warning(phrase: str, texts: Iterable[str], where: tuple[Any, ...], file: str,
                      field: str) -> DesignWarning | None:
    """A warning when `phrase` is nowhere in `texts` (quotes, case and spaces ignored, as the
    renderer matches), with the closest stretch of text as the fix."""
    pool = [t for t in texts if t]
    if not phrase.strip() or any(_norm(phrase) in _norm(t) for t in pool):
        return None
    near = closest(phrase, " ".join(pool))
    hint = (f'the closest words in the text are "{near}"; copy them exactly'
            if near else "copy the words from the text, or remove the highlight")
    return DesignWarning(f'"{phrase}" is not in the text, so nothing is highlighted',
                         file=file, line=where[0], col=where[1], field=field, hint=hint)


def comment_warning(path: tuple[Any, ...], value: Any, line: int, col: int, comment: str,
                    file: str, field: str) -> DesignWarning | None:
    """`caption: Stand with Sudan #Sudan` keeps only "Stand with Sudan": say so."""
    if not any(isinstance(p, str) and p in TEXT_FIELDS for p in path):
        return None
    whole = f"{value} {comment}"
    shown = whole if len(whole) <= 80 else whole[:79] + "…"
    key = next((p for p in reversed(path) if isinstance(p, str)), "text")
    return DesignWarning(
        f'everything from "{comment[:30]}" on is read as a comment and left out of the text',
        file=file, line=line, col=col, field=field,
        hint=f'put the whole value in quotes: {key}: "{shown}"')


def design_warnings(doc: Any, data: dict[str, Any], platforms: tuple[str, ...],
                    field_path: Callable[[tuple[Any, ...]], str]) -> list[DesignWarning]:
    """Every warning for one loaded design (its own language and each translation)."""
    out: list[DesignWarning] = []
    for path, (line, col, comment) in sorted(getattr(doc, "comments", {}).items(),
                                            key=lambda kv: kv[1]):
        value: Any = data
        for p in path:
            value = value[p] if isinstance(value, dict | list) else None
        w = comment_warning(path, value, line, col, comment, doc.file, field_path(path))
        if w:
            out.append(w)
    scopes: list[tuple[tuple[Any, ...], dict[str, Any]]] = [((), data)]
    for code, tr in (data.get("translations") or {}).items():
        if isinstance(tr, dict):
            scopes.append((("translations", code), tr))
    for base, src in scopes:
        texts = [src.get("text") or data.get("text") if base else src.get("text")]
        texts += list(src.get("slides") or [])
        texts.append(src.get("title"))
        for i, phrase in enumerate(src.get("highlight") or []):
            if isinstance(phrase, str):
                p = base + ("highlight", i)
                w = highlight_warning(phrase, [t for t in texts if isinstance(t, str)],
                                      doc.where(p), doc.file, field_path(p))
                if w:
                    out.append(w)
        caption = src.get("caption")
        if isinstance(caption, str):
            p = base + ("caption",)
            w = caption_warning(caption, platforms, doc.where(p), doc.file, field_path(p))
            if w:
                out.append(w)
    return out
