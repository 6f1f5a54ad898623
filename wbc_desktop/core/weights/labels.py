"""How a model version is written for people: ``v3``, and a retrained ``v1-20261205-1012`` as it is.

Why: versions are numbers for shipped models and already-prefixed names for retrained ones, and
prefixing every one with "v" printed "vv1-…" in the status bar.
"""

from __future__ import annotations

from typing import Any


def version_label(version: Any) -> str:
    """``3`` -> ``v3``; ``v1-20261205-1012`` stays; missing -> ``v?``."""
    text = "?" if version is None or version == "" else str(version)
    return text if text[:1] in ("v", "V") else f"v{text}"
