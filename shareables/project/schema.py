"""JSON Schemas of design files and shareables.yaml.

One source of truth: `design.py` and `settings.py` validate with these (through jsonschema)
and `shareables schema` prints them for editors' YAML language servers. Checks that need the
project (platform ids, theme and font names, files on disk) live in design.py/settings.py.
"""

from __future__ import annotations

import functools
import json
from typing import Any

KINDS = ("quote", "statement", "tag", "carousel")
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
LANG_PATTERN = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
COLOR_PATTERN = r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"
NONEMPTY = r"\S"

_text = {"type": "string", "pattern": NONEMPTY}
_color = {"type": "string", "pattern": COLOR_PATTERN, "description": "A colour like #5b1f6b."}

_attribution = {
    "type": "object",
    "description": "Who said it (required for quotes).",
    "properties": {
        "name": {**_text, "description": "Name as it should appear, e.g. Jamila Afghani."},
        "role": {**_text, "description": "Role or affiliation, e.g. Afghan Human Rights Defender."},
    },
    "required": ["name"],
    "additionalProperties": False,
}

_background = {
    "type": "object",
    "description": "Flat colour, gradient or photo behind the text.",
    "properties": {
        "color": _color,
        "gradient": {"type": "array", "items": _color, "minItems": 2, "maxItems": 2,
                     "description": "Two colours, top to bottom."},
        "image": {**_text, "description": "Photo path relative to the design file."},
        "focus": {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1},
                  "minItems": 2, "maxItems": 2,
                  "description": "Crop centre [x, y], each 0..1, kept in every aspect ratio."},
        "overlay": {"type": "number", "minimum": 0, "maximum": 1,
                    "description": "Darkening over a photo (0 none, 1 black)."},
        "credit": {**_text, "description": "Photo credit drawn small on the image."},
        "alt": {**_text, "description": "What the photo shows, for screen readers (folded "
                                        "into the generated alt text)."},
    },
    "additionalProperties": False,
}

def _motion() -> dict[str, Any]:
    from ..platforms import CLIPS

    return {
        "description": "Animated clips of the design (true for the defaults, false for none).",
        "type": ["boolean", "object"],
        "properties": {
            "reveal": {"enum": ["auto", "words", "lines", "highlight", "none"],
                       "description": "How the text appears: word by word (in reading order, "
                                      "right to left for RTL), line by line, or a sweep of "
                                      "the highlighted words."},
            "camera": {"enum": ["auto", "kenburns", "still"],
                       "description": "kenburns: a slow zoom around background.focus."},
            "duration": {"type": "number", "minimum": 1, "maximum": 60,
                         "description": "Seconds (default: from the amount of text)."},
            "hold": {"type": "number", "minimum": 0, "maximum": 30,
                     "description": "Seconds the finished card is held at the end."},
            "easing": {"enum": ["ease-out", "ease-in-out", "linear"]},
            "end_card": {"type": "boolean",
                         "description": "End on the closing \"tag us\" card."},
            "platforms": {"type": "array", "items": {"enum": list(CLIPS)}, "minItems": 1,
                          "uniqueItems": True,
                          "description": "Clip platforms (default: from the image platforms)."},
        },
        "additionalProperties": False,
    }


_variant_props: dict[str, Any] = {
    "text": {**_text, "description": "The words. **double stars** mark accent-coloured text."},
    "title": {**_text, "description": "Statement title or carousel cover title."},
    "date": {**_text, "description": "Date shown with a statement, e.g. May 21, 2024."},
    "attribution": _attribution,
    "highlight": {"type": "array", "items": _text,
                  "description": "Phrases drawn in the accent colour."},
    "slides": {"type": "array", "items": _text, "minItems": 1,
               "description": "Carousel slides, in order (instead of text)."},
    "alt": {**_text, "description": "Alt text for the images (default: generated from the text)."},
    "caption": {**_text, "description": "Post copy supporters can copy with the image."},
    "closing": {**_text, "description": "Carousels: the call to share on the closing slide "
                "(the handle follows it). Default: vetted wording for the language."},
}

_translation = {
    "type": "object",
    "description": "The same design in another language; rendered as its own variant.",
    "properties": _variant_props,
    "additionalProperties": False,
}


def _require(kind: str, *fields: str) -> dict[str, Any]:
    return {
        "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
        "then": {"required": list(fields)},
    }


def design_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) for one file in designs/."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://shareables.example.org/schema/design.json",
        "title": "shareables design",
        "type": "object",
        "properties": {
            "kind": {"enum": list(KINDS), "description": "quote | statement | tag | carousel"},
            "id": {"type": "string", "pattern": ID_PATTERN,
                   "description": "Default: the file name. Lowercase letters, digits and -."},
            "campaign": {"type": "string", "pattern": ID_PATTERN,
                         "description": "Default: the folder name."},
            "theme": {**_text, "description": "A theme from shareables.yaml."},
            "lang": {"type": "string", "pattern": LANG_PATTERN,
                     "description": "Language (BCP-47), e.g. en, ar, fa, he. Default en."},
            **_variant_props,
            "background": _background,
            "handle": {"type": "boolean", "description": "false hides the brand handle."},
            "motion": _motion(),
            "platforms": {
                "description": "Default: the project's platform list. `[x, linkedin]` builds "
                               "only those; `[-x]` or `{exclude: [x]}` the project's list "
                               "without X.",
                "anyOf": [
                    {"type": "array", "items": {"type": "string"}, "minItems": 1,
                     "uniqueItems": True},
                    {"type": "object", "properties": {
                        "exclude": {"type": "array", "items": {"type": "string"},
                                    "minItems": 1, "uniqueItems": True}},
                     "required": ["exclude"], "additionalProperties": False},
                ],
            },
            "translations": {
                "type": "object",
                "propertyNames": {"pattern": LANG_PATTERN},
                "additionalProperties": _translation,
            },
        },
        "required": ["kind"],
        "additionalProperties": False,
        "allOf": [
            _require("quote", "text", "attribution"),
            _require("statement", "text"),
            _require("carousel", "title"),
            {
                "if": {"properties": {"kind": {"const": "carousel"}}, "required": ["kind"]},
                "then": {"oneOf": [{"required": ["text"]}, {"required": ["slides"]}]},
            },
        ],
    }


_font_roles = {
    role: {"type": "array", "items": _text, "minItems": 1,
           "description": "Font files in fonts/, tried in order glyph by glyph."}
    for role in ("heading", "body")
}
_fonts = {
    "type": "object",
    "properties": {
        **_font_roles,
        "by_language": {
            "type": "object",
            "description": "Font files for one language (e.g. ur: Nastaliq), tried before "
                           "heading/body for variants in that language.",
            "propertyNames": {"pattern": "^[a-z]{2,3}$"},
            "additionalProperties": {"type": "object", "properties": _font_roles,
                                     "additionalProperties": False},
        },
    },
    "additionalProperties": False,
}
_colors = {
    "type": "object",
    "properties": {"background": _color, "text": _color, "accent": _color},
    "additionalProperties": False,
}


def settings_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) for shareables.yaml."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://shareables.example.org/schema/settings.json",
        "title": "shareables project settings",
        "type": "object",
        "properties": {
            "brand": {
                "type": "object",
                "properties": {
                    "name": _text,
                    "handle": {"type": "string", "pattern": r"^@?[A-Za-z0-9_.]{1,64}$"},
                    "logo": _text,
                    "colors": _colors,
                    "fonts": _fonts,
                },
                "required": ["name"],
                "additionalProperties": False,
            },
            "themes": {
                "type": "object",
                "propertyNames": {"pattern": ID_PATTERN},
                "additionalProperties": {
                    "type": "object",
                    "properties": {"colors": _colors, "fonts": _fonts, "background": _background},
                    "additionalProperties": False,
                },
            },
            "platforms": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                          "uniqueItems": True},
            "motion": _motion(),
            "publish": {
                "type": "object",
                "properties": {
                    "bucket": _text,
                    "prefix": {"type": "string"},
                    "endpoint_url": {"type": "string", "pattern": r"^https?://"},
                    "public_url": {"type": "string", "pattern": r"^https?://"},
                    "region": _text,
                },
                "additionalProperties": False,
            },
        },
        "required": ["brand"],
        "additionalProperties": False,
    }


# --- turning jsonschema's findings into messages a communications officer can act on -------

def field_path(path: tuple[Any, ...] | list[Any]) -> str:
    """('translations', 'fa', 'slides', 2) -> 'translations.fa.slides[2]'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def did_you_mean(word: str, choices: Any) -> str | None:
    """A 'did you mean' hint from the known names, or None when nothing is close."""
    import difflib

    options = sorted(str(c) for c in choices)
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return None


def _describe(value: Any, source: str | None) -> str:
    if isinstance(value, bool):
        note = f" — YAML reads `{source}` as {str(value).lower()}" if source else ""
        return f"{str(value).lower()}{note}"
    if value is None:
        return "nothing"
    if isinstance(value, int | float):
        note = f" — YAML reads `{source}` as a number" if source and source != str(value) else ""
        return f"the number {value}{note}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping of keys"
    return type(value).__name__


_TYPE_NAMES = {"string": "text", "object": "a mapping of keys", "array": "a list",
               "number": "a number", "integer": "a whole number", "boolean": "true or false"}

_PATTERN_HELP: dict[str, tuple[str, str | None]] = {
    NONEMPTY: ("is empty", "write some text or remove the key"),
    ID_PATTERN: ("is not a valid id",
                 "use lowercase letters, digits and hyphens (at most 64), e.g. jamila-afghani"),
    COLOR_PATTERN: ("is not a colour", "write it as #rrggbb, e.g. #5b1f6b"),
    LANG_PATTERN: ("is not a language code", "use a BCP-47 code such as en, ar, fa or fa-AF"),
}


_EXAMPLES = {
    "background": '`background: {color: "#1b2a41"}` or `background: {image: photo.jpg}`',
    "highlight": '`highlight: ["saved my life", "together"]`',
    "slides": '`slides: ["First slide", "Second slide"]`',
    "translations": "`translations: {ar: {text: …}}`",
    "gradient": '`gradient: ["#1b2a41", "#5b1f6b"]`',
    "focus": "`focus: [0.5, 0.3]` (across, down; 0 to 1)",
}


def _right_shape(path: tuple[Any, ...], inst: Any, expected: Any) -> tuple[str, str] | None:
    """(message, hint) with an example of the right shape, built from what was written."""
    key = next((p for p in reversed(path) if isinstance(p, str)), None)
    if key == "attribution" and isinstance(inst, str):
        name, _, role = (p.strip() for p in inst.partition(","))
        shape = f"{{name: {name}, role: {role}}}" if role else f"{{name: {name}}}"
        return ("needs a name written as `name:`",
                f"write it as `attribution: {shape}`"
                + ("" if role else " (a role is optional: `{name: …, role: …}`)"))
    if key in _EXAMPLES and not isinstance(inst, dict | list):
        want = "a list" if expected == "array" else "a mapping of keys"
        if key in ("highlight", "slides") and isinstance(inst, str):
            return ("must be a list, even for one item",
                    f'write it as `{key}: ["{inst}"]`')
        return f"must be {want}, got {_describe(inst, None)}", f"e.g. {_EXAMPLES[key]}"
    return None


@functools.cache
def _validator(schema_json: str) -> Any:
    """One compiled validator per schema (building it per design file cost ~0.3 ms each)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(schema_json))


def schema_errors(doc: Any, schema: dict[str, Any], error: type) -> list[Any]:
    """Validate `doc.data` against `schema`; one error per problem, each with line/column."""
    validator = _validator(json.dumps(schema, sort_keys=True))
    found: list[Any] = []
    seen: set[str] = set()

    def add(path: tuple[Any, ...], message: str, hint: str | None = None, key: bool = False):
        line, col = doc.where(path, key=key)
        e = error(message, file=doc.file, line=line, col=col, field=field_path(path) or None,
                  hint=hint)
        if str(e) not in seen:
            seen.add(str(e))
            found.append(e)

    data = doc.data
    kind = data.get("kind") if isinstance(data, dict) else None
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        path = tuple(err.absolute_path)
        inst = err.instance
        v = err.validator
        hint: str | None
        if v == "additionalProperties" and isinstance(inst, dict):
            known = err.schema.get("properties", {})
            for k in inst:
                if k not in known:
                    hint = did_you_mean(k, known) or "allowed keys: " + ", ".join(known)
                    add(path + (k,), f"unknown key {k!r}", hint, key=True)
        elif v == "required":
            present = inst if isinstance(inst, dict) else {}
            for name in err.validator_value:
                if name not in present:
                    where = f"required for a {kind}" if path == () and kind else "required"
                    add(path + (name,), where, f"add `{name}:`")
        elif v == "oneOf" and path == () and kind == "carousel":
            add(path, "a carousel needs either `text:` (split into slides automatically) or "
                      "`slides:` (one text per slide)", "keep exactly one of them")
        elif v == "type" and (shape := _right_shape(path, inst, err.validator_value)):
            add(path, *shape)
        elif v == "type":
            expected = err.validator_value
            names = [expected] if isinstance(expected, str) else list(expected)
            want = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
            src = doc.sources.get(path)
            hint = f'put it in quotes: "{src}"' if "string" in names and src is not None else None
            add(path, f"must be {want}, got {_describe(inst, src)}", hint)
        elif v == "pattern":
            what, hint = _PATTERN_HELP.get(err.validator_value, ("has the wrong form", None))
            shown = "" if err.validator_value == NONEMPTY else f" ({inst!r})"
            add(path, f"{what}{shown}", hint)
        elif v == "enum":
            choices = err.validator_value
            hint = did_you_mean(inst, choices)
            listing = ", ".join(map(str, choices))
            add(path, f"unknown value {inst!r} (one of: {listing})", hint)
        elif v == "propertyNames":
            what, hint = _PATTERN_HELP.get(
                err.schema.get("pattern", ""), ("is not an allowed name", None))
            add(path, f"{inst!r} {what}", hint)
        elif v in ("minItems", "maxItems"):
            n = err.validator_value
            if err.schema.get("minItems") == err.schema.get("maxItems"):
                add(path, f"needs exactly {n} items")
            else:
                add(path, f"needs {'at least' if v == 'minItems' else 'at most'} {n} items")
        elif v in ("minimum", "maximum"):
            add(path, f"must be {'at least' if v == 'minimum' else 'at most'} "
                      f"{err.validator_value}, got {inst}")
        elif v == "uniqueItems":
            add(path, "lists the same item twice", "remove the duplicate")
        elif v == "anyOf" and path == ("platforms",):
            add(path, "must be a list of platform ids or `{exclude: [...]}`",
                "e.g. `platforms: [instagram-square, x]` or `platforms: {exclude: [x]}`")
        elif v in ("if", "allOf", "then"):
            continue
        else:
            add(path, err.message)
    return found
