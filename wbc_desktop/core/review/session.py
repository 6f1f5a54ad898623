"""The rules of a review session that need no window: identities, retype batching, shown types.

The window's ``Document`` (and its ``Retyper`` and ``ProjectSession``) are Qt adapters over these.
An answer of the model process arrives late; whether it still fits is decided by revision
counters, never by ``id()`` of Python objects (which Python reuses once an object is freed):

- every analysis an image receives gets a new *analysis revision*;
- every mask step (an edit applied, undone or redone) gives the cells it reshaped, added or
  removed a new *cell revision*.

A retype answer computed for an older revision of a cell is dropped.  Plain Python: no Qt, no torch.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Iterable

Stamp = tuple[int, int, int]  # analysis revision, cells generation, cell revision


class Revisions:
    """Revision counters of the open images' analyses and cells, keyed by image (its path as text).

    One counter serves all of them, so a revision is never given twice in a session: an image
    removed and opened again, or re-analysed, cannot match an answer meant for its earlier analysis.
    """

    def __init__(self) -> None:
        self._next = itertools.count(1)
        self._analysis: dict[str, int] = {}
        self._generation: dict[str, int] = {}  # every cell of the image changed at once
        self._cells: dict[str, dict[int, int]] = {}

    def new_analysis(self, key: str) -> int:
        """The image got a new analysis (or none): every earlier answer about it is stale."""
        rev = next(self._next)
        self._analysis[key] = rev
        self._generation[key] = 0
        self._cells[key] = {}
        return rev

    def analysis(self, key: str) -> int:
        """The image's analysis revision (0: never analysed in this session)."""
        return self._analysis.get(key, 0)

    def touch(self, key: str, cell_ids: Iterable[int]) -> None:
        """These cells were reshaped, added or removed (a mask step done, undone or redone)."""
        rev = next(self._next)
        cells = self._cells.setdefault(key, {})
        for i in cell_ids:
            cells[int(i)] = rev

    def touch_all(self, key: str) -> None:
        """Every cell of the image may have changed (a mask step that does not say which)."""
        self._generation[key] = next(self._next)
        self._cells[key] = {}

    def stamp(self, key: str, cell_id: int) -> Stamp:
        """The revision of one cell now: what an answer about it must have been computed for."""
        return (self._analysis.get(key, 0), self._generation.get(key, 0),
                self._cells.get(key, {}).get(int(cell_id), 0))

    def stamps(self, key: str, cell_ids: Iterable[int]) -> dict[int, Stamp]:
        return {int(i): self.stamp(key, i) for i in cell_ids}

    def current(self, key: str, results: dict, sent: dict[int, Stamp]) -> dict:
        """The part of ``results`` (cell id -> anything) about cells still at the revision sent."""
        return {k: v for k, v in results.items() if k in sent and self.stamp(key, k) == sent[k]}

    def forget(self, key: str) -> None:
        """The image left the session (its later answers find no revision and are dropped)."""
        self._analysis.pop(key, None)
        self._generation.pop(key, None)
        self._cells.pop(key, None)


@dataclass
class RetypeQueue:
    """One retype request per image in flight: cells edited meanwhile wait and go together in the
    next one, so a burst of strokes costs the model one or two retypes, not one per stroke."""

    waiting: dict[str, set[int]] = field(default_factory=dict)  # image -> cells edited since the last request
    in_flight: set[str] = field(default_factory=set)
    first: dict[str, float] = field(default_factory=dict)  # when the wait's first edit came (the latency measured)

    def add(self, key: str, cell_ids: Iterable[int], now: float) -> bool:
        """Cells to type again; True when a request should go now (none is in flight)."""
        self.waiting.setdefault(key, set()).update(int(i) for i in cell_ids)
        self.first.setdefault(key, now)
        return key not in self.in_flight

    def take(self, key: str, now: float) -> tuple[set[int], float]:
        """The cells waiting and their first edit's time; the wait is emptied."""
        return self.waiting.pop(key, set()), self.first.pop(key, now)

    def sent(self, key: str) -> None:
        self.in_flight.add(key)

    def answered(self, key: str) -> bool:
        """The request came back (an answer or a failure); True when cells wait for the next one."""
        self.in_flight.discard(key)
        return key in self.waiting


def live_ids(cell_ids: Iterable[int], present: Iterable[int]) -> list[int]:
    """Of a step's changed cells, those present in the analysis now (an undone step's new cells are gone)."""
    have = set(present)
    return [i for i in cell_ids if i in have]


__all__ = ["Revisions", "RetypeQueue", "Stamp", "live_ids"]
