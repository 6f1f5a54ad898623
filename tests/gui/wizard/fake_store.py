"""A stand-in for ``core.versions.VersionStore`` with the agreed API (until the real one lands)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Optional


class VersionStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _active_doc(self) -> dict:
        p = self.root / "active.json"
        return json.loads(p.read_text()) if p.is_file() else {}

    def list(self, kind: str) -> list[dict]:
        d = self.root / kind
        cards = []
        for v in sorted(d.iterdir(), reverse=True) if d.is_dir() else []:
            if (v / "card.json").is_file() and not v.name.startswith("."):
                card = json.loads((v / "card.json").read_text())
                card.update(name=v.name, active=self.active(kind) == v.name)
                cards.append(card)
        return cards

    def active(self, kind: str) -> Optional[str]:
        return self._active_doc().get(kind)

    def activate(self, kind: str, name: Optional[str]) -> None:
        if name is not None and not (self.root / kind / name / "card.json").is_file():
            raise ValueError(f"no {kind} version {name}")
        doc = self._active_doc()
        doc[kind] = name
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "active.json").write_text(json.dumps(doc))

    def rename(self, kind: str, name: str, new_label: str) -> None:
        p = self.root / kind / name / "card.json"
        card = json.loads(p.read_text())
        card["label"] = new_label
        p.write_text(json.dumps(card))

    def delete(self, kind: str, name: str) -> None:
        if self.active(kind) == name:
            self.activate(kind, None)
        shutil.rmtree(self.root / kind / name)

    def export(self, kind: str, name: str, dest_file: Path) -> None:
        from safetensors.numpy import load_file, save_file

        folder = self.root / kind / name
        save_file(load_file(str(folder / "weights.safetensors")), str(dest_file),
                  metadata={"wbc_card": (folder / "card.json").read_text()})

    def import_file(self, kind: str, src_file: Path) -> str:
        from safetensors import safe_open

        head = Path(src_file).read_bytes()[:2]
        if head in (b"\x80\x02", b"\x80\x04", b"PK"):
            raise ValueError(f"{Path(src_file).name}: a pickled (PyTorch) file; only .safetensors exported by "
                             "WBC Desktop can be imported")
        try:
            with safe_open(str(src_file), "numpy") as f:
                card = json.loads(f.metadata()["wbc_card"])
                tensors = {k: f.get_tensor(k) for k in f.keys()}
        except Exception as e:
            raise ValueError(f"{Path(src_file).name}: not a complete model file ({e})") from None
        from safetensors.numpy import save_file

        name = f"imported-{len(self.list(kind)) + 1}"
        folder = self.root / kind / name
        folder.mkdir(parents=True)
        save_file(tensors, str(folder / "weights.safetensors"))
        (folder / "card.json").write_text(json.dumps(card))
        return name
