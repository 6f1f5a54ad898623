"""Write a classifier's inference views policy into its card (after a rule decided it on val).

Why a separate step: the views policy is chosen after training, from the joint val split
(``training/reports/rules_session5_recheck.txt``), so it is not a training setting. The weights are
untouched; the card is rewritten atomically. Example (the step that set the shipped default)::

    PYTHONPATH=. python training/set_views.py resources/models/classifier/default --views 4 \
        --recheck-below 0.6 --rule training/reports/rules_session5_recheck.txt
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from wbc_desktop.core.view_policy import VIEWS, check_recheck, check_views  # noqa: E402
from wbc_desktop.core.io import atomic_write_text  # noqa: E402


def set_views(folder: Path, views: int, recheck_below: float | None, rule: str | None) -> dict:
    """The card of ``folder`` with its views policy replaced (and written back)."""
    path = folder / "card.json"
    card = json.loads(path.read_text())
    card["views"] = check_views(views)
    card.pop("recheck_below", None)
    if recheck_below is not None:
        card["recheck_below"] = check_recheck(recheck_below)
    if rule:
        card["views_rule"] = rule
    atomic_write_text(path, json.dumps(card, indent=2) + "\n")
    return card


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder", type=Path, help="a classifier folder (weights.safetensors + card.json)")
    p.add_argument("--views", type=int, choices=VIEWS, required=True)
    p.add_argument("--recheck-below", type=float, default=None,
                   help="only cells whose first view's top probability is below this get the other views")
    p.add_argument("--rule", default=None, help="the file that records why (kept in the card)")
    a = p.parse_args(argv)
    card = set_views(a.folder, a.views, a.recheck_below, a.rule)
    print(f"{a.folder}: views {card['views']}, recheck_below {card.get('recheck_below')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
