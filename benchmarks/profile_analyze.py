"""cProfile of ``Pipeline.analyze`` on the issue-26 image sets: top entries by own time.

    python -m benchmarks.profile_analyze [--n 11] [--top 10]

Sets: cellavision test images (300x300), stain-shifted copies of them (``/work/cache/shifted_test``,
made by ``python -m training.data.make_shifted_val``) and a 1920x1440 field (the bench mosaic of cli/bench.py).
Prints, per set, the ten functions with the most own time (tottime) and the cumulative time of the
main steps, so the report can show where the time goes before and after a change.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import pstats
from pathlib import Path

from wbc_desktop.core.io.images import read_image

from training.lib.paths import DATA

CELLAVISION = DATA / "wbc-seg-cellavision"
SHIFTED = Path("/work/cache/shifted_test")


def cellavision_test() -> list[Path]:
    rows = list(csv.DictReader(open(CELLAVISION / "labels.csv", newline="")))
    return [CELLAVISION / "images" / r["image"].strip() for r in rows if r["split"].strip() == "test"]


def shifted(n: int) -> list[Path]:
    """The ``_hed`` copies: 300x300 like their sources, stain-shifted (nearly all flagged unfamiliar)."""
    return sorted((SHIFTED / "images").glob("*_hed.png"))[:n] if SHIFTED.is_dir() else []


def profile(pipe, images, repeat: int = 1) -> pstats.Stats:
    for im in images[:1]:
        pipe.analyze(im)  # warm-up (lazy loads, allocator)
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(repeat):
        for im in images:
            pipe.analyze(im)
    pr.disable()
    return pstats.Stats(pr)


def top(stats: pstats.Stats, n: int) -> str:
    s = io.StringIO()
    stats.stream = s
    stats.sort_stats("tottime").print_stats(n)
    lines = [ln for ln in s.getvalue().splitlines() if ln.strip()]
    i = next(k for k, ln in enumerate(lines) if ln.lstrip().startswith("ncalls"))
    return "\n".join(lines[i - 1 : i + n + 1])


def main(argv=None) -> None:
    from wbc_desktop.cli.bench import _field
    from wbc_desktop.core.io.images import ImageData
    from wbc_desktop.core.pipeline import Pipeline

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=11)
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--sets", default="cellavision,shifted,field")
    a = ap.parse_args(argv)
    pipe = Pipeline.load("default", "default", device="cpu")
    sets = {
        "cellavision": lambda: [read_image(p) for p in cellavision_test()[: a.n]],
        "shifted": lambda: [read_image(p) for p in shifted(a.n)],
        "field": lambda: [ImageData(pixels=_field(1920, 1440), path=None)],
    }
    for name in a.sets.split(","):
        imgs = sets[name]()
        st = profile(pipe, imgs)
        print(f"## {name}: {len(imgs)} image(s), total {st.total_tt:.2f} s")
        print(top(st, a.top))
        print()


if __name__ == "__main__":
    main()
