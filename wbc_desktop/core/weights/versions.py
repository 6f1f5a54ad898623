"""Model versions of one place (a project's ``models/`` folder or a ``--out`` folder).

Layout: ``<root>/<kind>/<name>/{weights.safetensors, card.json}`` plus ``<root>/active.json``
({kind: name or null}; null or absent = the shipped default). Each retraining adds a version
(written to a temp folder, renamed into place when complete); the person activates it, rolls
back (activates its parent), renames (the card's label), deletes, exports it to one
``.safetensors`` file whose metadata carries the card and a seal of the weights, and imports
such a file (checked, never unpickled). The shipped models are never written to.

No torch here: the window's process lists and manages versions.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Optional

from wbc_desktop.core.weights import checks as stc
from wbc_desktop.core.io.atomic import atomic_write_text

WEIGHTS, CARD = "weights.safetensors", "card.json"  # as registry (not imported: it may pull in torch)
KINDS = ("segmenter", "classifier")

ACTIVE_FILE = "active.json"
FORMAT = "wbc-desktop-model/1"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")


class VersionStore:
    """A folder of model versions; see the module docstring for the layout."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # ---- reading
    def folder(self, kind: str, name: str) -> Path:
        _check_kind(kind)
        if not _NAME.match(str(name)):
            raise ValueError(f"not a version name: {name!r}")
        return self.root / kind / name

    def card(self, kind: str, name: str) -> dict[str, Any]:
        p = self.folder(kind, name) / CARD
        try:
            return json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ValueError(f"no {kind} version named {name!r} in {self.root}") from None
        except (OSError, ValueError) as e:
            raise ValueError(f"{p}: card cannot be read ({e})") from None

    def names(self, kind: str) -> list[str]:
        d = self.root / _check_kind(kind)
        if not d.is_dir():
            return []
        return [q.name for q in d.iterdir() if not q.name.startswith(".") and (q / WEIGHTS).is_file()
                and (q / CARD).is_file()]

    def list(self, kind: str) -> list[dict[str, Any]]:
        """Cards, newest first, each with ``name``, ``label``, ``active``, ``parent``, ``folder``."""
        active = self.active(kind)
        out = []
        for n in self.names(kind):
            try:
                c = self.card(kind, n)
            except ValueError:
                continue
            c = dict(c, name=n, folder=str(self.folder(kind, n)), active=(n == active))
            c.setdefault("label", n)
            c.setdefault("parent", None)
            out.append(c)
        out.sort(key=lambda c: (str(c.get("created", "")), c["name"]), reverse=True)
        return out

    def active(self, kind: str) -> Optional[str]:
        """The active version's name; None = the shipped default (also when it went missing)."""
        name = self._active_doc().get(_check_kind(kind))
        if name and (self.root / kind / str(name) / WEIGHTS).is_file():
            return str(name)
        return None

    def active_folder(self, kind: str) -> Optional[Path]:
        n = self.active(kind)
        return self.folder(kind, n) if n else None

    # ---- changing
    def activate(self, kind: str, name: Optional[str]) -> None:
        """Make ``name`` the active version (None: back to the shipped default)."""
        if name is not None and name not in self.names(kind):
            raise ValueError(f"no {kind} version named {name!r} in {self.root}")
        doc = self._active_doc()
        doc[kind] = name
        self.root.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.root / ACTIVE_FILE, json.dumps(doc, indent=2) + "\n")

    def rollback(self, kind: str) -> Optional[str]:
        """Activate the active version's parent (a version here, else the shipped default)."""
        cur = self.active(kind)
        parent = self.card(kind, cur).get("parent") if cur else None
        target = parent if parent in self.names(kind) else None
        self.activate(kind, target)
        return target

    def rename(self, kind: str, name: str, new_label: str) -> None:
        """Change the label people see (the folder name stays: cards of children refer to it)."""
        label = " ".join(str(new_label).split())
        if not label:
            raise ValueError("a version's label cannot be empty")
        card = self.card(kind, name)
        card["label"] = label[:120]
        atomic_write_text(self.folder(kind, name) / CARD, json.dumps(card, indent=2) + "\n")

    def delete(self, kind: str, name: str) -> None:
        """Remove a version; the active one falls back to its parent first."""
        folder = self.folder(kind, name)
        if not folder.is_dir():
            raise ValueError(f"no {kind} version named {name!r} in {self.root}")
        if self.active(kind) == name:
            self.rollback(kind)
        trash = folder.with_name(f".{name}.deleted-{os.getpid()}")
        os.replace(folder, trash)
        shutil.rmtree(trash, ignore_errors=True)

    def new_name(self, kind: str) -> str:
        """``v<N>-<date>``: increasing, readable and unique."""
        nums = [int(m.group(1)) for n in self.names(kind) if (m := re.match(r"^v(\d+)", n))]
        return f"v{max(nums, default=0) + 1}-{time.strftime('%Y%m%d-%H%M%S')}"

    def add(self, kind: str, staged: Path, name: Optional[str] = None) -> str:
        """Move a complete staged folder (weights + card) into place as a new version; its name."""
        _check_kind(kind)
        staged = Path(staged)
        if not ((staged / WEIGHTS).is_file() and (staged / CARD).is_file()):
            raise ValueError(f"{staged}: not a model folder (needs {WEIGHTS} and {CARD})")
        name = name or self.new_name(kind)
        dest = self.folder(kind, name)
        if dest.exists():
            raise ValueError(f"a {kind} version named {name!r} exists already")
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, dest)
        return name

    def staging(self, kind: str) -> Path:
        """A fresh temp folder beside the versions (same file system, so :meth:`add` is a rename).

        Leftovers of a killed run start with '.' and are ignored by :meth:`list` and swept here.
        """
        d = self.root / _check_kind(kind)
        d.mkdir(parents=True, exist_ok=True)
        for old in d.glob(".staging-*"):
            if time.time() - old.stat().st_mtime > 24 * 3600:
                shutil.rmtree(old, ignore_errors=True)
        return Path(tempfile.mkdtemp(prefix=".staging-", dir=d))

    # ---- one-file exchange
    def export(self, kind: str, name: str, dest_file: Path) -> Path:
        """One ``.safetensors`` file: the weights, the card and a seal of the weights in its metadata."""
        folder = self.folder(kind, name)
        card = self.card(kind, name)
        stc.check_file(folder / WEIGHTS)
        meta = {"format": FORMAT, "kind": kind, "card": json.dumps(card), "sha256": stc.tensor_digest(folder / WEIGHTS)}
        dest_file = Path(dest_file)
        if dest_file.suffix != ".safetensors":
            dest_file = dest_file.with_name(dest_file.name + ".safetensors")
        stc.write_with_metadata(folder / WEIGHTS, dest_file, meta)
        return dest_file

    def import_file(self, kind: str, src_file: Path) -> str:
        """Add a version from an exported file; ValueError (one clear line) for anything unsafe."""
        src_file = Path(src_file)
        meta = stc.check_file(src_file)
        if meta.get("format") != FORMAT or "card" not in meta:
            raise ValueError(f"{src_file.name} is a safetensors file but not a WBC Desktop model export (no card)")
        if meta.get("kind") != kind:
            raise ValueError(f"{src_file.name} holds a {meta.get('kind')!r} model, not a {kind}")
        if stc.tensor_digest(src_file) != meta.get("sha256"):
            raise ValueError(f"{src_file.name}: its weights do not match their seal (changed after export); refused")
        try:
            card = json.loads(meta["card"])
        except ValueError:
            raise ValueError(f"{src_file.name}: its card is unreadable") from None
        if not isinstance(card, dict) or card.get("kind") != kind:
            raise ValueError(f"{src_file.name}: its card is not a {kind} card")
        card.pop("recheck_members", None)  # member folders do not travel in one file
        card["imported_from"] = src_file.name
        card["imported"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        staged = self.staging(kind)
        try:
            stc.write_with_metadata(src_file, staged / WEIGHTS, {"format": FORMAT, "kind": kind})
            atomic_write_text(staged / CARD, json.dumps(card, indent=2) + "\n")
            return self.add(kind, staged)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise

    # ---- internals
    def _active_doc(self) -> dict[str, Any]:
        p = self.root / ACTIVE_FILE
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
            return doc if isinstance(doc, dict) else {}
        except (OSError, ValueError):
            return {}


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"model kind must be one of {', '.join(KINDS)} (got {kind!r})")
    return kind


def resolve_store_model(root: Path, kind: str) -> Optional[Path]:
    """A version-store folder used as a model: its active version, else its newest; None if none."""
    store = VersionStore(root)
    if not (store.root / kind).is_dir():
        return None
    active = store.active_folder(kind)
    if active is not None:
        return active
    versions = store.list(kind)
    return Path(versions[0]["folder"]) if versions else None
