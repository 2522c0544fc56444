"""What each language writes differently: quotation marks and punctuation.

Shared by the typesetter (`text.typography`, curly quotes in the images) and the alt text
(`project.alttext`), so a caption, an alt text and an image quote alike.
"""

from __future__ import annotations

from dataclasses import dataclass

# (open, close, nested open, nested close) as each language prints them (CLDR, Wikipedia).
# Arabic-script quotes are stored logically: « opens, and bidi mirroring shows it as » at the
# right-hand start of an RTL line, which is what Arabic readers expect.
QUOTES: dict[str, tuple[str, str, str, str]] = {
    "en": ("“", "”", "‘", "’"),
    "de": ("„", "“", "‚", "‘"),
    "fr": ("«\u202f", "\u202f»", "“", "”"),  # French sets a narrow no-break space inside
    "es": ("«", "»", "“", "”"),
    "it": ("«", "»", "“", "”"),
    "pt": ("“", "”", "‘", "’"),
    "ru": ("«", "»", "„", "“"),
    "uk": ("«", "»", "„", "“"),
    "pl": ("„", "”", "«", "»"),
    "ar": ("«", "»", "“", "”"),
    "fa": ("«", "»", "“", "”"),
    "prs": ("«", "»", "“", "”"),
    "ps": ("«", "»", "“", "”"),
    "ckb": ("«", "»", "“", "”"),
    # CLDR lists ” “ for Urdu; Urdu print (and this project's other Arabic-script languages)
    # use guillemets, and one convention across ar/fa/ps/ur keeps the cards consistent.
    "ur": ("«", "»", "“", "”"),
    "he": ("„", "”", "‚", "’"),
}


@dataclass(frozen=True)
class Punctuation:
    comma: str = ", "
    colon: str = ": "
    stop: str = "."


_ARABIC_SCRIPT = Punctuation(comma="، ")
PUNCTUATION: dict[str, Punctuation] = {
    "ar": _ARABIC_SCRIPT, "fa": _ARABIC_SCRIPT, "prs": _ARABIC_SCRIPT, "ps": _ARABIC_SCRIPT,
    "ckb": _ARABIC_SCRIPT,
    "ur": Punctuation(comma="، ", stop="۔"),
    "fr": Punctuation(colon="\u202f: "),
}


def code_of(lang: str) -> str:
    """The primary language subtag, lower case ("en-GB" -> "en")."""
    return (lang or "en").split("-")[0].lower()


def quotes(lang: str) -> tuple[str, str, str, str]:
    return QUOTES.get(code_of(lang), QUOTES["en"])


def punctuation(lang: str) -> Punctuation:
    return PUNCTUATION.get(code_of(lang), Punctuation())
