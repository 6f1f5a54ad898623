"""Shared helpers of the research scripts: where data and reports are (``paths``), distillation losses."""
