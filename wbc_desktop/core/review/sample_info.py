"""The sample a batch of fields comes from: what a report for a patient's chart must name.

Entered once per batch (or project) and printed on every page of the PDF. In a project it is kept
as ``sample.json`` in the project folder (written atomically), so it travels with the images and
their reviews; outside a project it lives as long as the open batch.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Optional

from wbc_desktop.core.io.atomic import atomic_write_text

SAMPLE_FILE = "sample.json"


@dataclass
class SampleInfo:
    """Free text fields; empty ones are printed as a blank line to fill by hand."""

    sample_id: str = ""  # patient or sample identifier
    slide: str = ""
    date: str = ""  # of the smear / collection
    stain: str = ""
    operator: str = ""
    comment: str = ""

    LABELS = {"sample_id": "Patient / sample ID", "slide": "Slide", "date": "Date", "stain": "Stain",
              "operator": "Operator", "comment": "Comment"}

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f.name).strip() for f in fields(self))

    def items(self) -> list[tuple[str, str]]:
        """(label, value) in print order."""
        return [(self.LABELS[f.name], getattr(self, f.name)) for f in fields(self)]

    def to_json(self) -> str:
        return json.dumps({"format": "wbc-desktop-sample", "version": 1, **asdict(self)}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "SampleInfo":
        doc = json.loads(text)
        if doc.get("format") != "wbc-desktop-sample":
            raise ValueError("not a wbc-desktop sample file")
        return cls(**{f.name: str(doc.get(f.name) or "") for f in fields(cls)})


def load(folder: Path | str) -> Optional[SampleInfo]:
    """The sample details kept in a project folder, or None (none yet, or unreadable)."""
    p = Path(folder) / SAMPLE_FILE
    try:
        return SampleInfo.from_json(p.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return None


def save(folder: Path | str, info: SampleInfo) -> None:
    atomic_write_text(Path(folder) / SAMPLE_FILE, info.to_json())
