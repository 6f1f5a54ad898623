"""The command line: ``wbc-desktop [IMAGE...]`` opens the app; subcommands run the same core headless.

``commands`` parses the arguments and hands each subcommand to its own module (``analyze``,
``evaluate``, ``train``, ``bench``, ``project``, ``train-classifier``); the words that name a
subcommand come from that parser, so a new subcommand dispatches without a second list. They call
the core and write files, nothing else. Data enters as paths on the command line and leaves as the files the README lists (masks, overlays,
``cells.csv``, ``summary.csv``, figures as JSON). Only the bare ``wbc-desktop`` (no subcommand)
imports the GUI.
"""

from __future__ import annotations

import sys
from typing import Optional


def main(argv: Optional[list[str]] = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # the app's model process in a PyInstaller build
    argv = list(sys.argv[1:] if argv is None else argv)
    is_sub = False
    if argv and not argv[0].startswith("-"):
        from wbc_desktop.cli.commands import subcommands  # the parser's own list: it cannot drift

        is_sub = argv[0] in subcommands()
    if "--self-test" in argv and not is_sub:
        from wbc_desktop.cli.selftest import main as self_test  # headless: no window, no display

        return self_test(argv)
    if is_sub:
        from wbc_desktop.cli.commands import run_command

        return run_command(argv)
    if argv and argv[0] in ("-V", "--version"):
        from wbc_desktop import __version__

        print(f"wbc-desktop {__version__}")
        return 0
    from wbc_desktop.gui.app import main as gui_main  # heavy Qt import only when the window is wanted

    return gui_main(argv)

