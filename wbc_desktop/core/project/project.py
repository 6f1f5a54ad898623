"""A project: a folder holding a batch of images' analyses and every correction a person made.

Layout (names in :mod:`~.layout`, described in ``docs/project-format.md``): ``project.json``
(images, states, models), ``model/<key>.png`` (the model's class map, 0/128/255),
``masks/<key>.png`` (the corrected class map, only for edited images) with ``instances/<key>.png``
(16-bit cell ids), ``cells.csv`` (every cell, model and person types), ``journal.jsonl`` (strokes
not yet in a saved mask) and a lock file. The project imports its parts (manifest, cells table,
image files, reading back, recovery, journal, lock); none of them imports it back.

Nothing a person draws is lost: each step of an attached :class:`History` is journalled (append +
fsync) before it returns, types and states are written at once (atomic), and the masks, the slow
part, are written by :meth:`Project.flush` (debounced by the caller; :meth:`flush_if_due`). On open
the journal is replayed, so a ``kill -9`` loses at most the stroke being drawn.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from wbc_desktop.core.analysis import Analysis
from wbc_desktop.core.errors import InputError
from wbc_desktop.core.io.atomic import sha256_file
from wbc_desktop.core.project import cells_table, manifest
from wbc_desktop.core.project.image_files import ImageFiles
from wbc_desktop.core.project.locate import locate
from wbc_desktop.core.project.journal import Journal
from wbc_desktop.core.project.layout import CELLS_FILE, PROJECT_FILE, ProjectLayout
from wbc_desktop.core.project.lock import ProjectLock
from wbc_desktop.core.project.manifest import ProjectError, ProjectImage
from wbc_desktop.core.project.read_back import read_analysis
from wbc_desktop.core.project.recovery import apply_entries, migrate_review, recover_images
from wbc_desktop.core.review.history import History
from wbc_desktop.core.review.store import ImageReview, ReviewStore

log = logging.getLogger(__name__)


@dataclass
class OpenImage:
    """An image being worked on: its analysis, the person's review and their shared history."""

    image: ProjectImage
    analysis: Analysis
    review: ImageReview
    history: History
    dirty: bool = False  # masks not yet written since the last edit


class Project:
    """Open with :meth:`open` or :meth:`create`; :meth:`close` when done (writes, releases the lock)."""

    def __init__(self, root: Path, user: Optional[str], lock: Optional[ProjectLock]) -> None:
        self.root = root
        self.layout = ProjectLayout(root)
        self.files = ImageFiles(self.layout)
        self.user = user
        self._lock_file = lock
        self.images: list[ProjectImage] = []
        self.extra: dict = {}
        self.messages: list[str] = []  # problems found on open, one line each, for the user
        self.rows: dict[str, list[dict]] = {}
        self.open_images: dict[str, OpenImage] = {}
        self.journal = Journal(root)
        self.debounce_s = 1.0
        self._due: Optional[float] = None
        self._mutex = threading.RLock()

    # ---- opening
    @classmethod
    def create(cls, root: Path | str, user: Optional[str] = None) -> "Project":
        root = Path(root)
        if (root / PROJECT_FILE).exists():
            raise ProjectError(f"{root}: already a project; open it instead")
        if root.exists() and not root.is_dir():
            raise ProjectError(f"{root}: is a file, not a folder")
        root.mkdir(parents=True, exist_ok=True)
        lock = ProjectLock(root, user)
        lock.acquire()
        p = cls(root, user, lock)
        p.extra = {"created": manifest.now_iso(), "created_by": user or ""}
        p.save()
        return p

    @classmethod
    def open(cls, root: Path | str, user: Optional[str] = None, review_store: Optional[ReviewStore] = None,
             lock: bool = True) -> "Project":
        """Open a project; problems that leave the rest usable end up in ``messages``."""
        root = Path(root)
        if not ProjectLayout(root).project_file.exists() and not ProjectLayout(root).cells_file.exists():
            raise ProjectError(f"{root}: not a WBC Desktop project (no {PROJECT_FILE})")
        lk = ProjectLock(root, user) if lock else None
        if lk is not None:
            lk.acquire()
        p = cls(root, user, lk)
        p.review_store = review_store
        try:
            p._load()
        except BaseException:
            if lk is not None:
                lk.release()
            raise
        return p

    review_store: Optional[ReviewStore] = None

    def _load(self) -> None:
        try:
            self.rows = cells_table.read(self.layout.cells_file)
        except (ValueError, OSError, UnicodeDecodeError) as e:
            self.messages.append(f"{CELLS_FILE}: unreadable ({e}); cell types will be taken from the "
                                 "masks again and a person's types may need redoing")
            self.rows = {}
        self.images, self.extra = recover_images(self.layout, self.rows, self.messages)
        for im in self.images:
            if self.image_path(im) is None:
                self.messages.append(f"{im.name or im.key}: image file not found ({im.path or 'path unknown'}); "
                                     "its masks and cells are kept, add the file again to see it")
        n = self._replay_journal()
        if n:
            self.messages.append(f"recovered {n} unsaved edit(s) from the journal")
        self.save()

    # ---- images
    def key_for(self, path: Path) -> str:
        return manifest.unique_key(path, {im.key for im in self.images})

    def add_image(self, path: Path | str) -> ProjectImage:
        """Add an image file (once: adding it again returns its entry)."""
        p = Path(path)
        if not p.is_file():
            raise InputError(f"{p.name}: file not found" if not p.exists() else f"{p.name}: not a file")
        digest = sha256_file(p)
        for im in self.images:
            if self.image_path(im) == p.resolve() or (im.sha256 == digest and im.name == p.name):
                return im
        try:
            stored = p.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            stored = str(p.resolve())
        im = ProjectImage(key=self.key_for(p), path=stored, sha256=digest, name=p.name)
        im.mark("new", self.user)
        with self._mutex:
            self.images.append(im)
            self.save()
        return im

    def find(self, what: str | Path) -> Optional[ProjectImage]:
        """An image by key, file name or path."""
        s = str(what)
        for im in self.images:
            if s in (im.key, im.name):
                return im
        rp = Path(what).resolve() if s else None
        for im in self.images:
            if rp is not None and self.image_path(im) == rp:
                return im
        return None

    def image_path(self, im: ProjectImage) -> Optional[Path]:
        """Where the image file is now (core.project.locate: a moved file is found again)."""
        return locate(self.root, im)

    # ---- analyses
    def has_analysis(self, im: ProjectImage) -> bool:
        return self.files.has_analysis(im.key)

    def is_edited(self, im: ProjectImage) -> bool:
        return self.files.is_corrected(im.key) or (im.key in self.open_images and self.open_images[im.key].dirty)

    def save_analysis(self, im: ProjectImage, analysis: Analysis) -> None:
        """Keep the model's output (class map and cells) and mark the image analysed."""
        self.files.write_model(im.key, analysis)
        self.save_embeddings(im, analysis)  # lab learning
        im.size = [int(analysis.shape[0]), int(analysis.shape[1])]
        im.models = dict(analysis.models)
        im.scale, im.scale_method = float(analysis.scale), analysis.scale_method
        im.scale_confidence, im.familiarity, im.warning = analysis.scale_confidence, analysis.familiarity, analysis.warning
        im.mark("analysed", self.user)
        with self._mutex:
            review = self.open_images[im.key].review if im.key in self.open_images else None
            if review is None:
                review = self.review_for(im)
            self.rows[im.key] = cells_table.rows_for(im.key, analysis, review)
            self._save_tables()

    def save_corrected(self, im: ProjectImage, analysis: Analysis) -> None:
        """An image whose first analysis is a person's (an imported mask): written as corrected."""
        self.files.write_corrected(im.key, analysis.class_map, analysis.instances)
        im.mark("corrected", self.user)
        with self._mutex:
            self.rows[im.key] = cells_table.rows_for(im.key, analysis, self.review_for(im))
            self._save_tables()

    def model_class_map(self, im: ProjectImage) -> Optional[np.ndarray]:
        return self.files.model_class_map(im.key)

    def model_masks(self, im: ProjectImage) -> Optional[tuple[np.ndarray, Optional[np.ndarray]]]:
        """(class map, instances or None) as the model made them, for "revert to the model" after a
        reopen; None when the image was never analysed or its masks are still the model's."""
        return self.files.model_masks(im.key) if self.is_edited(im) else None

    def load_analysis(self, im: ProjectImage) -> Optional[Analysis]:
        """The image's analysis as the person left it (corrected masks, cells); ``None`` if never analysed."""
        if im.key in self.open_images:
            return self.open_images[im.key].analysis
        return read_analysis(self.layout, im, self.rows)

    def set_aside_corrections(self, im: ProjectImage) -> Optional[str]:
        """Before a new model analysis replaces an edited image's: keep the person's masks (never
        deleted) as ``masks/replaced/<key>-<time>.png`` (+ instances); returns that name or None."""
        self.flush()  # journalled strokes into the masks first
        kept = self.files.set_aside(im.key)
        if kept is None:
            return None
        with self._mutex:
            self.open_images.pop(im.key, None)
            im.unmark("corrected")
            self.save()
        return kept

    def _replay_journal(self) -> int:
        """Apply the journalled strokes to the saved masks, write them, empty the journal; how many."""
        entries = self.journal.read()
        if not entries:
            return 0
        by_key: dict[str, list] = {}
        for e in entries:
            by_key.setdefault(e.key, []).append(e)
        done = 0
        for key, es in by_key.items():
            im = self.find(key)
            a = self.load_analysis(im) if im is not None else None
            if im is None or a is None:
                self.messages.append(f"journal: {len(es)} edit(s) of unknown image {key} ignored")
                continue
            review = self.review_for(im)
            n = apply_entries(a, es, key, self.messages)
            if not n:
                continue
            done += n
            self.files.write_corrected(key, a.class_map, a.instances)
            im.mark("corrected", self.user)
            self.rows[key] = cells_table.rows_for(key, a, review)
        cells_table.write(self.layout.cells_file, self.rows, [i.key for i in self.images])
        self.journal.drop_through(max(e.seq for e in entries))
        return done

    # ---- the person's work
    def review_for(self, im: ProjectImage) -> ImageReview:
        if im.key in self.open_images:
            return self.open_images[im.key].review
        path = self.image_path(im)
        r = ImageReview(image_path=str(path or im.key), user=self.user)
        cells_table.review_from_rows(self.rows.get(im.key, []), r)
        if "signed" in im.marks:
            r.signed_by, r.signed_at = im.marks["signed"].get("by") or "?", im.marks["signed"].get("at")
        if not im.review_migrated and self.review_store is not None and path is not None:
            if migrate_review(self.review_store, path, r, {int(x["cell_id"]) for x in self.rows.get(im.key, [])}):
                self.messages.append(f"{im.name}: review moved into the project from the app's data folder")
            im.review_migrated = True
        return r

    def attach(self, im: ProjectImage, analysis: Analysis, review: Optional[ImageReview] = None,
               write: bool = True) -> History:
        """The one History of this image: retypes, signature and mask edits, all saved by the project.

        ``write=False`` (many images attached at once, e.g. a project opening): the caller writes
        the tables once afterwards with :meth:`write_tables`."""
        review = review or self.review_for(im)
        review.user = review.user or self.user
        review.apply_to(analysis)
        key = im.key
        h = History(review, save=lambda _review: self.on_step(key))
        self.open_images[im.key] = OpenImage(im, analysis, review, h)
        if write:
            self.on_step(im.key)  # states and rows (a migrated review) written now
        else:
            with self._mutex:
                self._sync_marks(self.open_images[im.key])
                self.rows[im.key] = cells_table.rows_for(im.key, analysis, review)
        return h

    def write_tables(self) -> None:
        """``cells.csv`` and ``project.json`` as they are now (after ``attach(write=False)``)."""
        with self._mutex:
            self._save_tables()

    def on_step(self, key: str) -> None:
        """After each do/undo/redo: journal the strokes, write types and states now."""
        o = self.open_images[key]
        with self._mutex:
            patches, o.review.pending_patches[:] = list(o.review.pending_patches), []
            for p in patches:
                self.journal.append(key, p)
            if patches:
                o.dirty = True
                o.image.mark("corrected", self.user)
                self._due = time.monotonic() + self.debounce_s
            self._sync_marks(o)
            self.rows[key] = cells_table.rows_for(key, o.analysis, o.review)
            self._save_tables()

    def cells_changed(self, im: ProjectImage) -> None:
        """The model retyped cells (after an edit): write their rows (and their new embeddings)."""
        if im.key in self.open_images:
            self.on_step(im.key)
            self.save_embeddings(im, self.open_images[im.key].analysis)

    def save_embeddings(self, im: ProjectImage, analysis: Analysis) -> None:
        """Lab learning: the cells' embeddings, so prototypes and "find similar" work after a reopen."""
        from wbc_desktop.core.lab.embeddings import save

        save(self.layout.embeddings(im.key), analysis)

    def _sync_marks(self, o: OpenImage) -> None:
        im, r = o.image, o.review
        if r.reviewed and "reviewed" not in im.marks:
            im.mark("reviewed", self.user)
        elif not r.reviewed:
            im.unmark("reviewed")
        if r.signed:
            im.marks["signed"] = {"by": r.signed_by, "at": r.signed_at}
        else:
            im.unmark("signed")

    # ---- writing
    def save(self) -> None:
        with self._mutex:
            manifest.save(self.root, self.images, self.extra)

    def _save_tables(self) -> None:
        cells_table.write(self.layout.cells_file, self.rows, [im.key for im in self.images])
        self.save()

    def snapshot(self) -> tuple[int, list[tuple[str, np.ndarray, np.ndarray, int]]]:
        """Copies of the edited masks (fast, on the caller's thread) for :meth:`write_snapshot`."""
        with self._mutex:
            out = [(k, o.analysis.class_map.copy(), o.analysis.instances.copy(), o.review.mask_version)
                   for k, o in self.open_images.items() if o.dirty]
            return self.journal.seq, out

    def write_snapshot(self, snap: tuple[int, list]) -> None:
        """Write the masks (may run on a worker thread), then forget the journal lines they hold."""
        seq, items = snap
        for key, cm, inst, version in items:
            im = self.find(key)
            if im is None:
                continue
            self.files.write_corrected(im.key, cm, inst)
        with self._mutex:
            for key, _, _, version in items:
                o = self.open_images.get(key)
                if o is not None and o.review.mask_version == version:
                    o.dirty = False
            self.journal.drop_through(seq)
            self._due = None

    def flush(self) -> None:
        self.write_snapshot(self.snapshot())

    def flush_if_due(self, now: Optional[float] = None) -> bool:
        """Write the masks when ``debounce_s`` passed since the last stroke; True if it wrote."""
        if self._due is None or (now if now is not None else time.monotonic()) < self._due:
            return False
        self.flush()
        return True

    def close(self) -> None:
        try:
            self.flush()
            self.save()
        finally:
            if self._lock_file is not None:
                self._lock_file.release()

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- figures
    def status_counts(self) -> dict[str, int]:
        counts = {s: 0 for s in manifest.STATES}
        for im in self.images:
            counts[im.state] += 1
        return counts
