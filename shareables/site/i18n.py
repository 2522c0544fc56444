"""The page's own words in every language the project ships, from one catalogue.

`locale/strings.toml` holds one table per language; a translator copies `[en]` and translates
the values. A key a language lacks falls back to English, so a half-done translation still
gives a whole page.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

DEFAULT = "en"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    text = resources.files("shareables.site").joinpath("locale", "strings.toml").read_bytes()
    data: dict[str, Any] = tomllib.loads(text.decode("utf-8"))
    return {lang: {str(k): str(v) for k, v in table.items()} for lang, table in data.items()}


def ui_language(lang: str) -> str:
    """The catalogue language for content language `lang` ("ar-EG" -> "ar"; unknown -> en)."""
    cat = catalogue()
    if lang in cat:
        return lang
    base = lang.split("-")[0].lower()
    return base if base in cat else DEFAULT


@cache
def strings(lang: str) -> dict[str, str]:
    """Every UI string for `lang`, English where the translation lacks one."""
    cat = catalogue()
    return {**cat[DEFAULT], **cat.get(ui_language(lang), {})}


def t(lang: str, key: str, **values: Any) -> str:
    text = strings(lang)[key]
    return text.format(**values) if values else text
