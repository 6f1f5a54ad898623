"""``python -m wbc_desktop.cli``: the same entry point as the ``wbc-desktop`` script."""

from wbc_desktop.cli import main

raise SystemExit(main())
