"""Write a classifier's inference views policy (and second-opinion models) into its folder.

Why a separate step: the views policy is chosen after training, from the joint val split
(``training/reports/classifier/rules/unsure-recheck-views.txt``), so it is not a training setting. The weights are
untouched; second-opinion models are copied into ``members/`` and the card is rewritten
atomically. The policy is given whole each time (no --second-opinion: no members). Example (the step
that set the shipped default, ``training/reports/classifier/rules/second-opinion-ensemble.txt``)::

    PYTHONPATH=. python -m training.recipes.set_views resources/models/classifier/default --views 4 \
        --recheck-below 0.8 --second-opinion /work/cache/cls/models/v2.2 \
        --rule training/reports/classifier/rules/second-opinion-ensemble.txt
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from training.lib.paths import REPO
from wbc_desktop.core.cells.views import VIEWS, check_recheck, check_views
from wbc_desktop.core.io.atomic import atomic_write_text

ROOT = REPO  # the repository root (training.lib.paths)

def copy_member(folder: Path, src: Path) -> str:
    """Copy a model folder into ``folder/members/<name>`` (temp copy renamed into place)."""
    if not (src / "weights.safetensors").is_file() or not (src / "card.json").is_file():
        raise SystemExit(f"{src} is not a model folder (weights.safetensors + card.json)")
    dest = folder / "members" / src.name
    dest.parent.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{src.name}.", dir=dest.parent))
    for name in ("weights.safetensors", "card.json"):
        shutil.copy2(src / name, tmp / name)
    if dest.exists():
        shutil.rmtree(dest)
    tmp.rename(dest)
    return f"members/{src.name}"


def set_views(folder: Path, views: int, recheck_below: float | None, rule: str | None,
              second_opinion: list[Path] | None = None) -> dict:
    """The card of ``folder`` with its views policy replaced (and written back)."""
    path = folder / "card.json"
    card = json.loads(path.read_text())
    card["views"] = check_views(views)
    for key in ("recheck_below", "recheck_members"):
        card.pop(key, None)
    if recheck_below is not None:
        card["recheck_below"] = check_recheck(recheck_below)
    if second_opinion:
        if recheck_below is None:
            raise SystemExit("--second-opinion needs --recheck-below (members only see unsure cells)")
        card["recheck_members"] = [copy_member(folder, Path(m)) for m in second_opinion]
    if rule:
        card["views_rule"] = rule
    atomic_write_text(path, json.dumps(card, indent=2) + "\n")
    keep = set(card.get("recheck_members", []))
    if (folder / "members").is_dir():  # members the new card no longer names go, after it is written
        for q in (folder / "members").iterdir():
            if f"members/{q.name}" not in keep:
                shutil.rmtree(q)
        if not keep:
            (folder / "members").rmdir()
    return card


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder", type=Path, help="a classifier folder (weights.safetensors + card.json)")
    p.add_argument("--views", type=int, choices=VIEWS, required=True)
    p.add_argument("--recheck-below", type=float, default=None,
                   help="only cells whose first view's top probability is below this get the other views")
    p.add_argument("--second-opinion", type=Path, nargs="+", default=[], metavar="MODEL_FOLDER",
                   help="models whose mean over 4 turns joins the re-check of unsure cells")
    p.add_argument("--rule", default=None, help="the file that records why (kept in the card)")
    a = p.parse_args(argv)
    card = set_views(a.folder, a.views, a.recheck_below, a.rule, a.second_opinion)
    print(f"{a.folder}: views {card['views']}, recheck_below {card.get('recheck_below')}, "
          f"members {card.get('recheck_members', [])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
