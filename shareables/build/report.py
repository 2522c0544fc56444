"""What a build reports: progress events, the one-line summary and the JSON report."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import ShareablesError


@dataclass(frozen=True)
class Progress:
    """One finished render job (done of total), for progress bars and CI log lines."""

    done: int
    total: int
    label: str  # "palestine/we-mourn/en x"
    ok: bool


@dataclass
class BuildResult:
    """What a build did: the manifest written, per-artefact status, errors and timing."""

    manifest: dict[str, Any]
    make_statuses: Callable[[], list[dict[str, Any]]]
    """The per-artefact statuses, made when first asked for (`statuses`): 40,000 dicts at
    1,000 designs, which only the JSON report reads."""
    errors: list[ShareablesError]
    rendered: int  # images (and PDFs) rendered in this build
    cached: int  # images reused from the manifest on disk or the published one
    jobs_rendered: int
    seconds: float
    removed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @functools.cached_property
    def statuses(self) -> list[dict[str, Any]]:
        return self.make_statuses()

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def summary(self) -> str:
        """`Built 212 images (1,034 cached) in 6.3 s`, plus the failures if any."""
        line = f"Built {self.rendered:,} images ({self.cached:,} cached) in {self.seconds:.1f} s"
        if self.errors:
            files = {e.file for e in self.errors}
            line += f"; {len(self.errors)} problem{'s' * (len(self.errors) != 1)} in " \
                    f"{len(files)} file{'s' * (len(files) != 1)}"
        return line

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": not self.errors,
            "summary": self.summary(),
            "rendered": self.rendered,
            "cached": self.cached,
            "seconds": round(self.seconds, 3),
            "build_id": self.manifest.get("build_id"),
            "errors": [
                {"file": e.file, "line": e.line, "col": e.col, "field": e.field,
                 "message": e.message, "hint": e.hint, "text": str(e)}
                for e in self.errors
            ],
            "artefacts": self.statuses,
            "removed": self.removed,
        }

    def json_text(self) -> str:
        """as_json() as indented JSON with one list item a line (`build --format json`)."""
        return json_lines(self.as_json())


_ENCODER = json.JSONEncoder(ensure_ascii=False)


def json_lines(data: dict[str, Any]) -> str:
    """A JSON object indented by two, each item of a list on one line.

    json.dumps(indent=…) runs json's pure-Python encoder: 0.5 s for the 40,000 artefact
    statuses of a 1,000-design build, most of a no-change rebuild. One item a line lets the
    C encoder do them, and a CI log still reads one artefact a line.
    """
    dump = _ENCODER.encode
    parts = []
    for key, value in data.items():
        if isinstance(value, list) and value:
            body = "[\n    " + ",\n    ".join(dump(v) for v in value) + "\n  ]"
        else:
            body = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        parts.append(f"  {dump(key)}: {body}")
    return "{\n" + ",\n".join(parts) + "\n}"
