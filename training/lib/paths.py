"""Where the research scripts find the data and write their reports: one configuration.

The public data sets live outside the repository (never committed): ``$WBC_SHARED_DATA`` when set
(``$WBC_DATA``, its older name, too), else ``../shared/data`` beside the repository root. Run the
scripts as modules from the repository root (``python -m training.eval.eval_scale``), so
``training`` and ``wbc_desktop`` import without touching ``sys.path``.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]  #: the repository root
REPORTS = REPO / "training" / "reports"  #: reports, in subfolders by what they show


def data_root() -> Path:
    """The shared data folder (see the module docstring)."""
    env = os.environ.get("WBC_SHARED_DATA") or os.environ.get("WBC_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


DATA = data_root()
