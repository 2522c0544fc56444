"""`shareables import SHEET --to-yaml`: a spreadsheet's rows as reviewable YAML design files.

Only rows that pass every check are written (the others are reported as `sheet:ROW:COLUMN`);
existing files are never overwritten. The YAML files build the same images as the rows (the
same data goes through the same loader), and the sheet is renamed `_<name>` so the designs are
not loaded twice (files starting with `_` are ignored).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import DesignError, ShareablesError
from .design import DESIGNS_DIR, load_file_designs
from .model import Settings
from .scaffold import SCHEMA_LINE
from .sheets import is_sheet, read_sheet

_ORDER = ("kind", "title", "date", "text", "attribution", "highlight", "slides", "caption",
          "alt", "lang", "theme", "background", "handle", "platforms", "translations")


@dataclass
class Imported:
    written: list[Path] = field(default_factory=list)
    errors: list[ShareablesError] = field(default_factory=list)
    renamed: Path | None = None


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _ordered(data: dict[str, Any]) -> dict[str, Any]:
    keys = sorted(data, key=lambda k: _ORDER.index(k) if k in _ORDER else len(_ORDER))
    return {k: data[k] for k in keys if k != "id"}


def sheet_to_yaml(sheet: Path, settings: Settings) -> Imported:
    """Write designs/<campaign>/<id>.yaml for each good row of `sheet`."""
    project = settings.project_dir
    sheet = sheet.resolve()
    result = Imported()
    rel = sheet.relative_to(project).as_posix() if sheet.is_relative_to(project) else str(sheet)
    if not is_sheet(sheet) or not sheet.is_relative_to(project / DESIGNS_DIR) or \
            sheet.parent == (project / DESIGNS_DIR).resolve():
        result.errors.append(DesignError(
            "import reads a .csv or .xlsx sheet inside designs/<campaign>/", file=rel,
            hint="move it into its campaign folder, e.g. designs/sudan/quotes.csv"))
        return result
    designs, result.errors = load_file_designs(sheet, project, settings)
    by_row = {number: data for number, data, _c in read_sheet(sheet, rel).rows}
    for design in designs:
        data = dict(by_row[design.row or 0])
        data.setdefault("kind", design.kind)
        target = sheet.parent / f"{design.id}.yaml"
        if target.exists():
            result.errors.append(DesignError(
                f"{target.relative_to(project).as_posix()} already exists", file=rel,
                line=design.row, col="id", hint="give the row another id, or remove the file"))
            continue
        body = yaml.dump(_ordered(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                         width=100, default_flow_style=False)
        target.write_text(SCHEMA_LINE + f"# imported from {sheet.name} row {design.row}\n"
                          + body, encoding="utf-8")
        result.written.append(target)
    if result.written:
        result.renamed = sheet.with_name("_" + sheet.name)
        sheet.rename(result.renamed)
    return result
