"""Percentages the way a differential is read: out of the white cells only.

Why: platelets and erythroblasts (nucleated red cells) are typed too, but they are not
leukocytes. A lab reports the differential as percentages of the WBCs counted (they sum to
100), and nucleated red cells as "per 100 WBC" beside it; counting platelets into the
denominator would shift every WBC percentage with the platelet count of the field.
"""

from __future__ import annotations

NOT_WBC = ("erythroblast", "platelet")  # shown per 100 WBC, outside the 100 %


def wbc_total(counts: dict[str, int]) -> int:
    """Cells that make up the differential (every type but :data:`NOT_WBC`; unidentified included)."""
    return sum(n for t, n in counts.items() if t not in NOT_WBC)


def percent_of_wbc(counts: dict[str, int]) -> dict[str, tuple[int, float]]:
    """Count and percent per type, both relative to :func:`wbc_total` (for NOT_WBC: per 100 WBC)."""
    total = wbc_total(counts)
    return {t: (n, 100.0 * n / total if total else 0.0) for t, n in counts.items()}
