"""``wbc-desktop project``: make, fill, correct and export a project folder without the app.

``new DIR IMAGES...`` creates the project and analyses the images with the default models (so
``export`` has cells at once; ``--no-analyze`` only registers them, the app analyses them when
opened); ``import DIR --masks M [--geojson G]`` applies corrected masks/cells matched by file
stem; ``export DIR --format masks|csv|geojson|coco --out OUT``; ``status DIR`` counts per state.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from wbc_desktop.core.errors import InputError, WbcError


def add_parser(sub) -> None:
    p = sub.add_parser("project", help="create, correct and export a project folder (see docs/project-format.md)")
    ps = p.add_subparsers(dest="project_command", required=True)
    n = ps.add_parser("new", help="create a project from images or folders and analyse them")
    n.add_argument("dir")
    n.add_argument("images", nargs="+")
    n.add_argument("--no-analyze", action="store_true", help="only register the images (the app analyses them)")
    n.add_argument("--model", default="default")
    n.add_argument("--classifier", default="default")
    n.add_argument("--device", default="auto")
    i = ps.add_parser("import", help="apply corrected masks and/or QuPath GeoJSON, matched by file stem")
    i.add_argument("dir")
    i.add_argument("--masks", help="folder of 0/128/255 or 0/1/2 PNG masks or class-label TIFFs")
    i.add_argument("--geojson", help="a .geojson file or a folder of them (QuPath cell objects)")
    e = ps.add_parser("export", help="write masks, cells.csv, GeoJSON (one per image) or COCO JSON")
    e.add_argument("dir")
    e.add_argument("--format", required=True, choices=("masks", "csv", "geojson", "coco"))
    e.add_argument("--out", required=True)
    s = ps.add_parser("status", help="images per state (new, analysed, corrected, reviewed, signed)")
    s.add_argument("dir")
    for sp in (n, i, e, s):
        sp.add_argument("--user", default=None, help="who is working (default: the login name)")
        sp.add_argument("-v", "--verbose", action="store_true")


def _user(args) -> str:
    if args.user:
        return args.user
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def run_project(args: argparse.Namespace) -> int:
    from wbc_desktop.core.project.project import Project

    cmd = args.project_command
    if cmd == "new":
        return _new(args, Project)
    with Project.open(Path(args.dir), user=_user(args)) as proj:
        for m in proj.messages:
            print(f"note: {m}", file=sys.stderr)
        if cmd == "status":
            for state, n in proj.status_counts().items():
                print(f"{state}\t{n}")
            print(f"images\t{len(proj.images)}")
            return 0
        if cmd == "import":
            from wbc_desktop.core.project.interop.project_io import import_corrections

            if not args.masks and not args.geojson:
                raise WbcError("give --masks and/or --geojson")
            for what in (args.masks, args.geojson):
                if what and not Path(what).exists():
                    raise WbcError(f"{what}: not found")
            report: dict = {}
            n, errors = import_corrections(proj, Path(args.masks) if args.masks else None,
                                           Path(args.geojson) if args.geojson else None, report)
            for err in errors:
                print(f"error: {err}", file=sys.stderr)
            for r in report.values():  # pixels attached to cells or left out, per image
                if r.line():
                    print(f"note: {r.line()}", file=sys.stderr)
            retype = sum(len(r.retype) for r in report.values())
            if retype:
                print(f"note: {retype} new or reshaped cell(s) keep the types they had here (the command line "
                      "types no cells); File ▸ Import masks in the app has the model type them again", file=sys.stderr)
            print(f"{n} image(s) corrected, {len(errors)} file(s) not used", file=sys.stderr)
            return 1 if errors else 0
        from wbc_desktop.core.project.interop.project_io import export_project

        files = export_project(proj, args.format, Path(args.out))
        print(f"{len(files)} file(s) written to {args.out}", file=sys.stderr)
        return 0


def _new(args, Project) -> int:
    from wbc_desktop.core.io.images import describe_no_images, list_images

    files = list_images(args.images)
    if not files:
        raise WbcError(describe_no_images(args.images))
    proj = Project.create(Path(args.dir), user=_user(args))
    failed = 0
    try:
        added = []
        for f in files:
            try:
                added.append((f, proj.add_image(f)))
            except InputError as e:
                failed += 1
                print(f"error: {e}", file=sys.stderr)
        if not args.no_analyze and added:
            failed += _analyse(proj, added, args)
    finally:
        proj.close()
    print(f"project {args.dir}: {len(proj.images)} image(s); {failed} failed", file=sys.stderr)
    return 1 if failed else 0


def _analyse(proj, added, args) -> int:
    from wbc_desktop.core.io.images import read_image
    from wbc_desktop.core.pipeline import Pipeline

    classifier = None if str(args.classifier).lower() == "none" else args.classifier
    pipe = Pipeline.load(args.model, classifier, device=args.device)
    failed = 0
    for k, (path, im) in enumerate(added, 1):
        try:
            a = pipe.analyze(read_image(path))
            proj.save_analysis(im, a)
            print(f"[{k}/{len(added)}] {path.name}: {len(a.cells)} cells", file=sys.stderr)
        except WbcError as e:
            failed += 1
            msg = str(e)
            print(f"error: {msg if msg.startswith(path.name) else f'{path.name}: {msg}'}", file=sys.stderr)
    return failed
