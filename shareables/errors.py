"""One error hierarchy; the CLI prints these once, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class ShareablesError(Exception):
    """An expected failure with a message a non-programmer can act on.

    Formats as ``designs/x.yaml:12:3: field.path: what is wrong; how to fix it``. In a
    spreadsheet `line` is the row and `col` the column header: ``quotes.csv:3:text: …``.
    """

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        col: int | str | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.col = col
        self.field = field
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.col is not None:
                    where += f":{self.col}"
            where += ": "
        # A spreadsheet column already names the field.
        field = f"{self.field}: " if self.field and not isinstance(self.col, str) else ""
        hint = f"; {self.hint}" if self.hint else ""
        return f"{where}{field}{self.message}{hint}"


class SettingsError(ShareablesError):
    """shareables.yaml is missing or wrong: nothing can be built (exit 2)."""

    exit_code = 2


class DesignError(ShareablesError):
    """One design file is wrong; other designs still build (exit 1)."""


class RenderError(ShareablesError):
    """A valid design could not be drawn for a platform (text too long, missing glyph…)."""


class MissingGlyphError(RenderError):
    """A character no font in the list can draw: the same on every platform."""


class PublishError(ShareablesError):
    """Uploading, verifying or switching the published site failed."""

    exit_code = 1


@dataclass
class ErrorList(Exception):
    """Every problem found in one run, reported together."""

    errors: list[ShareablesError]

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)

    @property
    def exit_code(self) -> int:
        return max((e.exit_code for e in self.errors), default=1)
