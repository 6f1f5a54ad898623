"""Data sets the recipes and evaluations use: the fixed PBC split and crop cache (``pbc_data``,
``splits/``), derived sets (shifted "other lab" copies, tight crops, a synthetic slide, a simulated lab,
typed-cell sets for retraining) and colour-threshold masks."""
