"""The command line: ``wbc-desktop [IMAGE...]`` opens the app; subcommands run the same core headless.

``commands`` parses the arguments and hands each subcommand to its own module (``analyze``,
``evaluate``, ``train``, ``bench``); they call the core and write files, nothing else. Data enters
as paths on the command line and leaves as the files the README lists (masks, overlays,
``cells.csv``, ``summary.csv``, figures as JSON). Only the bare ``wbc-desktop`` (no subcommand)
imports the GUI.
"""

from __future__ import annotations

import sys
from typing import Optional

SUBCOMMANDS = ("analyze", "evaluate", "train", "bench", "project")


def main(argv: Optional[list[str]] = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # the app's model process in a PyInstaller build
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--self-test" in argv and not (argv and argv[0] in SUBCOMMANDS):
        from wbc_desktop.cli.selftest import main as self_test  # headless: no window, no display

        return self_test(argv)
    if argv and argv[0] in SUBCOMMANDS:
        from wbc_desktop.cli.commands import run_command

        return run_command(argv)
    if argv and argv[0] in ("-V", "--version"):
        from wbc_desktop import __version__

        print(f"wbc-desktop {__version__}")
        return 0
    from wbc_desktop.gui.app import main as gui_main  # heavy Qt import only when the window is wanted

    return gui_main(argv)

