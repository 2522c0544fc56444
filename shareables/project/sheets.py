"""Spreadsheets as a design source: designs/<campaign>/<name>.csv or .xlsx, one row a design.

Columns are named by field path (`text`, `attribution.name`, `background.image`, …); a column
`text@ar` (or `attribution.name@ar`, `caption@ar`) is the Arabic translation of that field.
Cells are data: a formula is kept as the text it is, nothing is read as YAML. Each row goes
through the same checks as a YAML design, and every problem points at the spreadsheet's own
row number and column header: `designs/sudan/quotes.csv:7:attribution.name: …`.

Defaults: `kind` from the file name (quotes.csv → quote) or from a row whose `id` is `*`
(its other cells fill the blanks of every row); `id` from the first words of the text.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DesignError, ShareablesError
from .schema import KINDS, design_schema, did_you_mean
from .yamlload import MAX_BYTES, Doc

SHEET_SUFFIXES = (".csv", ".xlsx")
MAX_SHEET_BYTES = 16 * MAX_BYTES
DEFAULTS_ID = "*"
LIST_FIELDS = {"highlight": "\n;", "slides": "\n", "platforms": ",; \n\t",
               "background.gradient": ",; \n\t", "background.focus": ",; \n\t"}
NUMBER_FIELDS = {"background.focus", "background.overlay"}
BOOL_FIELDS = {"handle"}
_NESTED = {"attribution", "background"}
_TRANSLATABLE = {"text", "title", "date", "attribution.name", "attribution.role", "highlight",
                 "slides", "alt", "caption"}
_SLUG = re.compile(r"[^a-z0-9]+")


def is_sheet(path: Path | str) -> bool:
    return Path(path).suffix.lower() in SHEET_SUFFIXES


@dataclass
class SheetDoc(Doc):
    """One row as a Doc: every position is (row number, column header)."""

    row: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # field path -> header as written

    def where(self, path: Any, *, key: bool = False) -> tuple[int, Any]:
        return self.row, column_for(path, self.columns)


def column_for(path: Any, columns: dict[str, str] | None = None) -> str:
    """The column header of a field path: ('translations','ar','text') -> 'text@ar'."""
    parts = [p for p in path if not isinstance(p, int)]
    lang = None
    if len(parts) >= 2 and parts[0] == "translations":
        lang, parts = parts[1], parts[2:]
    name = ".".join(str(p) for p in parts) or "id"
    if name == "attribution":
        name = "attribution.name"
    name = f"{name}@{lang}" if lang else name
    return (columns or {}).get(name, name)


def _allowed() -> set[str]:
    props = design_schema()["properties"]
    out = {k for k in props if k not in _NESTED and k != "translations"}
    for k in _NESTED:
        out |= {f"{k}.{sub}" for sub in props[k]["properties"]}
    return out


def slug(text: str, words: int = 6) -> str:
    """An id from the first words of a text ("Women of Sudan…" -> "women-of-sudan")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG.sub("-", " ".join(ascii_text.lower().split()[:words])).strip("-")[:48]


def kind_from_name(stem: str) -> str | None:
    words = re.split(r"[^a-z]+", stem.lower())
    return next((k for k in KINDS for w in words if w in (k, k + "s")), None)


# --- reading cells ------------------------------------------------------------------------

def _cell(value: Any) -> str:
    """Any cell as the text it shows: numbers without a spurious .0, dates as 2024-05-21,
    formulas as their own text (never evaluated)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = getattr(value, "text", None)  # openpyxl ArrayFormula / DataTableFormula
    return str(text if isinstance(text, str) else value)


def _decode(raw: bytes, rel: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DesignError(f"not UTF-8 text (bad byte at offset {e.start})", file=rel,
                          hint="in Excel use File > Save As > “CSV UTF-8”; Google Sheets "
                               "downloads are already UTF-8") from None


def read_rows(path: Path, rel: str) -> list[list[str]]:
    """Every row of the sheet (first worksheet of an .xlsx) as text cells, header first."""
    try:
        size = path.stat().st_size
        if size > MAX_SHEET_BYTES:
            raise DesignError(f"file is too large ({size:,} bytes; the limit is "
                              f"{MAX_SHEET_BYTES:,})", file=rel, hint="split the sheet in two")
        if path.suffix.lower() == ".csv":
            text = _decode(path.read_bytes(), rel)
            first = text.split("\n", 1)[0]
            try:
                dialect: Any = csv.Sniffer().sniff(first, delimiters=",;\t|")
            except csv.Error:
                dialect = csv.excel
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter,
                                quotechar='"', doublequote=True, skipinitialspace=False)
            return [list(r) for r in reader]
        return _xlsx_rows(path, rel)
    except OSError as e:
        raise DesignError(f"cannot read the file: {e.strerror}", file=rel) from None
    except csv.Error as e:
        raise DesignError(f"not a readable CSV file: {e}", file=rel,
                          hint="export it again from the spreadsheet as CSV") from None


def _xlsx_rows(path: Path, rel: str) -> list[list[str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        # data_only=False: a formula cell gives its formula text, which is kept as text.
        book = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise DesignError(f"not a readable .xlsx file ({e.__class__.__name__})", file=rel,
                          hint="save it again from Excel or Google Sheets as .xlsx") from None
    try:
        sheet = book.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


# --- rows to design data ------------------------------------------------------------------

def _split(name: str, value: str) -> Any:
    base = name.split("@")[0]
    if base in LIST_FIELDS:
        seps = LIST_FIELDS[base]
        items = [s.strip() for s in re.split("[" + re.escape(seps) + "]", value) if s.strip()]
        if base in NUMBER_FIELDS:
            return [_number(s) for s in items]
        return items
    if base in NUMBER_FIELDS:
        return _number(value)
    if base in BOOL_FIELDS:
        low = value.strip().lower()
        return {"true": True, "yes": True, "1": True, "false": False, "no": False,
                "0": False}.get(low, value)
    return value


def _number(s: str) -> Any:
    try:
        return float(s.replace(",", "."))
    except ValueError:
        return s


def _put(data: dict[str, Any], header: str, value: Any) -> None:
    name, _, lang = header.partition("@")
    target = data
    if lang:
        target = data.setdefault("translations", {}).setdefault(lang, {})
    head, _, sub = name.partition(".")
    if sub:
        target.setdefault(head, {})[sub] = value
    else:
        target[head] = value


@dataclass
class Sheet:
    """A sheet read into rows of design data, with the problems found in its header."""

    rel: str
    rows: list[tuple[int, dict[str, Any], dict[str, str]]]  # row number, data, columns
    errors: list[ShareablesError]


def read_sheet(path: Path, rel: str) -> Sheet:
    """Read a sheet into design data per row; header problems are reported at row 1."""
    table = read_rows(path, rel)
    errors: list[ShareablesError] = []
    while table and not any(c.strip() for c in table[0]):
        table.pop(0)
    if not table:
        raise DesignError("the sheet is empty", file=rel,
                          hint="the first row names the columns: kind, text, attribution.name, …")
    allowed = _allowed()
    header: list[str | None] = []
    columns: dict[str, str] = {}
    for raw in table[0]:
        shown = raw.strip()
        name = shown.lower()
        base, _, lang = name.partition("@")
        problem = hint = None
        if not name:
            header.append(None)
            continue
        if base not in allowed:
            problem = f"unknown column {shown!r}"
            hint = did_you_mean(base, allowed) or "columns are field names such as kind, " \
                "text, attribution.name, attribution.role, highlight, caption, text@ar"
        elif lang and (base not in _TRANSLATABLE or not re.match(r"^[a-z]{2,3}(-[a-z0-9]+)*$",
                                                                  lang)):
            problem = f"{shown!r} cannot be a translation column"
            hint = ("use a language code after @, e.g. text@ar" if base in _TRANSLATABLE
                    else "translations take " + ", ".join(sorted(_TRANSLATABLE)))
        elif name in columns:
            problem, hint = f"the column {shown!r} appears twice", "delete one of them"
        if problem:
            errors.append(DesignError(problem, file=rel, line=1, col=shown, hint=hint))
            header.append(None)
            continue
        columns[name] = shown
        header.append(name)
    rows: list[tuple[int, dict[str, Any], dict[str, str]]] = []
    defaults: dict[str, str] = {}
    for number, cells in enumerate(table[1:], start=2):
        values = {h: c.strip() for h, c in zip(header, cells, strict=False) if h and c.strip()}
        if not values:
            continue  # blank rows are spacing, not designs
        if values.get("id") == DEFAULTS_ID:
            defaults = {k: v for k, v in values.items() if k != "id"}
            continue
        merged = {**defaults, **values}
        data: dict[str, Any] = {}
        for name, value in merged.items():
            _put(data, name, _split(name, value))
        rows.append((number, data, columns))
    return Sheet(rel, rows, errors)


def default_id(data: dict[str, Any], stem: str, row: int, taken: set[str]) -> str:
    """An id for a row without one: the text's first words, made unique within the sheet."""
    text = data.get("text") or data.get("title") or ""
    base = slug(text if isinstance(text, str) else "") or f"{slug(stem) or 'row'}-{row}"
    out, n = base, 2
    while out in taken:
        out, n = f"{base}-{n}", n + 1
    return out
