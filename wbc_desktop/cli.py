"""Command line: ``wbc-desktop [IMAGE...]`` opens the app; subcommands run the same core headless."""

from __future__ import annotations

import sys
from typing import Optional

SUBCOMMANDS = ("analyze", "evaluate", "train", "bench")


def main(argv: Optional[list[str]] = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # the app's model process in a PyInstaller build
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        from wbc_desktop.commands import run_command

        return run_command(argv)
    if argv and argv[0] in ("-V", "--version"):
        from wbc_desktop import __version__

        print(f"wbc-desktop {__version__}")
        return 0
    from wbc_desktop.gui.app import main as gui_main  # heavy Qt import only when the window is wanted

    return gui_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
