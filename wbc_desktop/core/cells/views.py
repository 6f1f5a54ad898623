"""How many rotated views of each cell the classifier averages, and for which cells (torch-free).

Kept apart from ``classify`` so the GUI can describe the policy without importing torch.
"""

from __future__ import annotations

from typing import Any

TURNS = {1: (0,), 2: (0, 2), 4: (0, 1, 2, 3)}  # views -> quarter turns of each crop that are averaged
VIEWS = tuple(TURNS)


def check_views(views: int) -> int:
    if views not in TURNS:
        raise ValueError(f"views must be one of {VIEWS}, not {views}")
    return int(views)


def check_recheck(value: Any) -> float | None:
    """``recheck_below`` of a card: None (every cell gets all views) or a probability in (0, 1]."""
    if value is None:
        return None
    t = float(value)
    if not 0.0 < t <= 1.0:
        raise ValueError(f"recheck_below must be in (0, 1], not {value}")
    return t


def describe_info(info: dict[str, Any]) -> str:
    """The views policy of a classifier's ``info()`` dict (as it crosses processes), in words."""
    return describe_views(info.get("views"), info.get("recheck_below"), info.get("second_opinion"))


def describe_views(views: Any, recheck_below: Any = None, second_opinion: Any = None) -> str:
    """'1 view', '4 views' or '4 views if unsure (< 0.80), 2 models' for logs and the status bar."""
    try:
        v = int(views or 1)
    except (TypeError, ValueError):
        v = 1
    models = 1 + (len(second_opinion) if isinstance(second_opinion, (list, tuple)) else 0)
    if v <= 1 and models == 1:
        return "1 view"
    if recheck_below is None:
        return f"{v} views"
    try:
        text = f"{v} views if unsure (< {float(recheck_below):.2f})"
    except (TypeError, ValueError):
        text = f"{v} views if unsure"
    return text + (f", {models} models" if models > 1 else "")
