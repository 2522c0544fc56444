"""Content checks on text values: what a card shows must be what the source file says.

- Control characters that YAML escapes (``"\\0"``, ``"\\x1b"``) let through after the
  reader refused the raw ones: refused the same way (they break XMP, captions and terminals).
- Bidi embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069): refused. The
  renderer sets direction from ``lang:``; a control makes the image, the page and the source
  show different word orders (the "Trojan Source" trick). LRM/RLM marks stay allowed.
- Text with no visible grapheme (only zero-width, combining or space characters) counts as
  empty: it would publish a blank card, or a dotted circle for a lone combining mark.
- Text longer than MAX_TEXT characters is refused: no card or carousel holds it, and laying
  it out would take minutes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ALLOWED_CONTROLS = frozenset("\n\t")
MAX_TEXT = 10_000
"""Characters in one text value: about three times what a 20-slide carousel can hold."""

TEXT_KEYS = frozenset({"text", "title", "date", "name", "role", "alt", "caption", "credit",
                       "slides", "highlight"})
"""Keys whose text is drawn or published (and must therefore be visible)."""

Problem = tuple[tuple[Any, ...], str, str]


def visible(text: str) -> bool:
    """Whether `text` has at least one grapheme that draws: a letter, digit, mark of
    punctuation or symbol (emoji included). Spaces, format characters and combining marks
    alone do not count."""
    return any(unicodedata.category(c)[0] in "LNPS" for c in text)


def _char_name(c: str) -> str:
    return f"U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip()


def text_problems(text: str) -> list[tuple[str, str]]:
    """(message, hint) for one string value."""
    out: list[tuple[str, str]] = []
    bad = next((c for c in text if unicodedata.category(c) == "Cc"
                and c not in ALLOWED_CONTROLS), None)
    if bad is not None:
        out.append((f"contains a control character ({_char_name(bad)})",
                    "remove the escape (like \\x1b or \\0) from the text"))
    bidi = next((c for c in text if c in BIDI_CONTROLS), None)
    if bidi is not None:
        out.append((f"contains a bidi control character ({_char_name(bidi)}), which makes "
                    f"the image and the page show different word orders",
                    "remove it; the text direction comes from `lang:`"))
    if len(text) > MAX_TEXT:
        out.append((f"is too long ({len(text):,} characters; the limit is {MAX_TEXT:,})",
                    "split it into several designs"))
    return out


def content_problems(data: Any, path: tuple[Any, ...] = (), key: str | None = None
                     ) -> Iterator[Problem]:
    """Every problem in every string of a loaded design (or settings) document."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield from content_problems(v, path + (k,), str(k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from content_problems(v, path + (i,), key)
    elif isinstance(data, str):
        for message, hint in text_problems(data):
            yield path, message, hint
        if key in TEXT_KEYS and data.strip() and not visible(data):
            yield (path, "is empty: it has only invisible or combining characters",
                   "write some visible text or remove the key")
