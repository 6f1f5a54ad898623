"""Size of a built app folder and its largest parts: ``python scripts/folder_sizes.py dist/wbc-desktop``.

Why: the installer's size target (<= 1.0 GB unpacked) needs to know what takes the space. Files
are counted once (symbolic links are not followed); a "part" is a path cut at ``--depth``
components below the bundle's ``_internal`` folder (e.g. ``torch/lib``, ``PySide6/Qt``).
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from pathlib import Path


def file_sizes(root: Path) -> dict[str, int]:
    """Relative path -> bytes of every regular file under root (links not followed)."""
    out: dict[str, int] = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            if not p.is_symlink():
                out[p.relative_to(root).as_posix()] = p.stat().st_size
    return out


def parts(sizes: dict[str, int], depth: int) -> Counter:
    """Bytes per path prefix of ``depth`` components (``_internal/`` does not count as one)."""
    c: Counter = Counter()
    for rel, n in sizes.items():
        comps = rel.split("/")
        skip = 1 if comps[0] == "_internal" else 0
        c["/".join(comps[skip:skip + depth]) if len(comps) > skip + 1 else comps[-1]] += n
    return c


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--depth", type=int, default=2, help="path components per part (default 2: torch/lib)")
    ap.add_argument("--top", type=int, default=10)
    args = ap.parse_args(argv)
    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder")
        return 2
    sizes = file_sizes(args.folder)
    total = sum(sizes.values())
    print(f"{args.folder}: {total / 1e9:.3f} GB ({total / 2**30:.3f} GiB) in {len(sizes)} files")
    print(f"largest parts (depth {args.depth}):")
    for name, n in parts(sizes, args.depth).most_common(args.top):
        print(f"  {n / 1e6:9.1f} MB  {name}")
    print("largest files:")
    for name, n in sorted(sizes.items(), key=lambda kv: -kv[1])[:args.top]:
        print(f"  {n / 1e6:9.1f} MB  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
