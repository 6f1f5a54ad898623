"""One command per shipped model: the steps that rebuild it, read from its own card.

``python -m training.recipes.rebuild classifier/other-labs`` prints the commands; ``--run`` runs
them (a real training: tens of minutes; keep the machine quiet), writing the new model into
``--out`` (default ``/work/cache/rebuild/<kind>/<name>``, never over ``resources/models``) and the
recipe's report into ``training/reports/<kind>/``. Why from the card: a classifier's card records
every setting its recipe ran with, so the rebuild cannot drift from what shipped; the segmenters'
recipes are the README's. The classifier report (``classifier.md``) is then assembled from the
evaluations' JSON with ``training.recipes.make_report`` (its docstring has the command).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from training.lib.paths import REPO

MODELS = REPO / "resources" / "models"
# The segmenters' recipes (training/README.md): the card records the trained settings, not the command.
SEGMENTER_ARGS = {"default": ["--threads", "2"], "unet-reference": ["--arch", "unet", "--threads", "2"]}


def _flags(settings: dict) -> list[str]:
    """A recipe's recorded settings (argparse's names) back into its command-line flags."""
    out: list[str] = []
    for k, v in settings.items():
        flag = "--" + k.replace("_", "-")
        if v is None or v is False or v == []:
            continue
        if v is True:
            out.append(flag)
        elif isinstance(v, list):
            out += [flag, *(str(x) for x in v)]
        else:
            out += [flag, str(v)]
    return out


def commands(model: str, out: Path) -> list[list[str]]:
    """The module commands (``python -m`` argv, without the interpreter) that rebuild ``model``."""
    kind, name = model.split("/", 1)
    card = json.loads((MODELS / kind / name / "card.json").read_text(encoding="utf-8"))
    if kind == "segmenter":
        return [["training.recipes.train_segmenter", *SEGMENTER_ARGS[name], "--name", name, "--out", str(out)]]
    steps: list[list[str]] = []
    members = card.get("recheck_members") or []
    for rel in members:  # second-opinion models first: the views step copies them in
        m_card = json.loads((MODELS / kind / name / rel / "card.json").read_text(encoding="utf-8"))
        steps.append(["training.recipes.train_classifier", *_flags(m_card["settings"]), "--out", str(out.parent / Path(rel).name)])
    steps.append(["training.recipes.train_classifier", *_flags(card["settings"]), "--out", str(out)])
    if int(card.get("views", 1)) != 1 or members:
        views = ["training.recipes.set_views", str(out), "--views", str(card.get("views", 1))]
        if card.get("recheck_below") is not None:
            views += ["--recheck-below", str(card["recheck_below"])]
        if members:
            views += ["--second-opinion", *(str(out.parent / Path(rel).name) for rel in members)]
        if card.get("views_rule"):
            views += ["--rule", str(card["views_rule"])]
        steps.append(views)
    return steps


def shipped() -> list[str]:
    return sorted(f"{p.parent.parent.name}/{p.parent.name}" for p in MODELS.glob("*/*/card.json"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", choices=shipped(), help="KIND/NAME of a shipped model")
    ap.add_argument("--out", type=Path, help="where the rebuilt model goes (default /work/cache/rebuild/KIND/NAME)")
    ap.add_argument("--run", action="store_true", help="run the commands (else print them)")
    args = ap.parse_args(argv)
    out = args.out or Path("/work/cache/rebuild") / args.model
    for cmd in commands(args.model, out):
        print("python -m " + " ".join(cmd), flush=True)
        if args.run:
            subprocess.run([sys.executable, "-m", *cmd], cwd=REPO, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
