"""Applies strokes to a project one by one, printing 'done N' after each has returned; the kill
test SIGKILLs it at some moment and checks that every printed stroke survives."""

import sys
from pathlib import Path

from wbc_desktop.core.editing.edits import paint_disks
from wbc_desktop.core.editing.mask_edit import MaskEdit
from wbc_desktop.core.project.project import Project


def points(n):
    return [(12 + 25 * (i % 11), 12 + 25 * (i // 11)) for i in range(n)]


def main(root: str, n: int) -> None:
    p = Project.open(Path(root), user="worker")
    p.debounce_s = 0.02  # mask saves interleave with strokes, as in the app
    im = p.images[0]
    a = p.load_analysis(im)
    h = p.attach(im, a)
    print("ready", flush=True)
    for i, (x, y) in enumerate(points(n)):
        patch = paint_disks(a.class_map, [(x, y), (x + 1, y)], 2, 1 + i % 2)
        if patch is not None:
            h.do(MaskEdit(a, patch))
        print(f"done {i}", flush=True)
        p.flush_if_due()
    p.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
