"""Walk a batch: skip what a checked record says is done, analyse the rest, stream the tables.

Images are analysed here one after the other (``client=None``) or as tasks on a Dask cluster;
either way their results are taken in input order, a bounded number ahead, so the tables and
the files are the same byte for byte and memory does not grow with the number of images.
"""

from __future__ import annotations

import sys
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from wbc_desktop.core.batch import records
from wbc_desktop.core.batch.job import BatchSettings, analyze_image
from wbc_desktop.core.batch.tables import StreamingTables
from wbc_desktop.core.export.layout import MASKS_DIR, OVERLAYS_DIR

Say = Callable[[str], None]


@dataclass
class BatchReport:
    analysed: int = 0
    resumed: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    familiarity: list[float] = field(default_factory=list)  # per image, for the batch's unfamiliar warning


def _say_stderr(line: str) -> None:
    print(line, file=sys.stderr)


def _local(todo: list[tuple[int, Path]], settings: BatchSettings) -> Iterator[tuple[int, dict]]:
    for i, path in todo:
        yield i, analyze_image(str(path), settings)


def _on_cluster(client, todo: list[tuple[int, Path]], settings: BatchSettings, ahead: int) -> Iterator[tuple[int, dict]]:
    """Tasks submitted ``ahead`` of the one awaited; results taken in input order.

    A worker that dies mid-task is replaced and its task rerun by the scheduler (up to
    ``distributed.scheduler.allowed-failures`` times); the result is the same wherever it ran.
    """
    queue: deque = deque()
    items = iter(todo)

    def submit() -> None:
        nxt = next(items, None)
        if nxt is not None:
            i, path = nxt
            fut = client.submit(analyze_image, str(path), settings, key=f"wbc-image-{i}-{path.name}", pure=False)
            queue.append((i, fut))

    for _ in range(ahead):
        submit()
    while queue:
        i, fut = queue.popleft()
        try:
            res = fut.result()
        finally:
            fut.release()
        submit()
        yield i, res


def run_batch(files: list[Path], out: Path, settings: BatchSettings, fresh: bool = False, client=None,
              say: Say = _say_stderr, bar=None) -> BatchReport:
    """Analyse ``files`` into ``out``; ``bar``: an object with ``update(n)`` (a tqdm bar) or None."""
    out.mkdir(parents=True, exist_ok=True)
    if fresh:
        records.clear(out)
    for sub in (MASKS_DIR, OVERLAYS_DIR):  # half-written temporaries of a killed run
        for tmp in (out / sub).glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
    key = settings.key()
    # only the indices are kept: a resumed record is read again when its turn comes (memory stays flat)
    done = set() if fresh else {i for i, p in enumerate(files) if records.load_valid(out, p, key) is not None}
    slides = {i for i, p in enumerate(files) if i not in done and settings.is_slide(p)}
    todo = [(i, p) for i, p in enumerate(files) if i not in done and i not in slides]
    workers = 1
    if client is None:
        results = _local(todo, settings)
    else:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        results = _on_cluster(client, todo, settings, ahead=4 * workers)
    report = BatchReport(resumed=len(done))
    if done:
        say(f"resuming: {len(done)} of {len(files)} images already analysed (records checked)")
    tables = StreamingTables(out)
    try:
        for i, path in enumerate(files):
            rec = records.load(out, path) if i in done else None
            if rec is None:
                if i in slides:
                    res = _slide(path, out, settings, client, 2 * workers + 1, say)
                else:
                    j, res = next(results)
                    assert j == i
                if res["error"]:
                    report.failed += 1
                    report.errors.append(res["error"])
                    say(f"error: {res['error']}")
                    _tick(bar)
                    continue
                rec = records.save(out, path, key, res)
                report.analysed += 1
                for note in rec["notes"]:
                    say(f"note: {path.name}: {note}")
                say(f"[{i + 1}/{len(files)}] {path.name}: {rec['n_cells']} cells, {rec['ms']:.0f} ms")
            tables.add(rec)
            fam = rec["image"].get("familiarity", "")
            if fam not in ("", None):
                report.familiarity.append(float(fam))
            _tick(bar)
        tables.finish()
    except BaseException:
        tables.abort()
        raise
    return report


def _slide(path: Path, out: Path, settings: BatchSettings, client, ahead: int, say: Say) -> dict:
    from wbc_desktop.core.batch.job import error_line
    from wbc_desktop.core.batch.slides import run_slide
    from wbc_desktop.core.errors import WbcError

    def tick(done: int, total: int) -> None:
        if done == 1 or done == total or done % 10 == 0:
            say(f"{path.name}: tile {done}/{total}")
    try:
        return run_slide(path, out, settings, client, ahead=ahead, tick=tick)
    except WbcError as e:
        return {"path": str(path), "error": error_line(path, e)}


def _tick(bar) -> None:
    if bar is not None:
        bar.update(1)
