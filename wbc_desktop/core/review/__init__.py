"""The person's decisions, kept apart from the model's output: retyped cells, signatures, undo
history, the differential count and the tables a lab keeps.

Data enters as an :class:`~wbc_desktop.core.analysis.Analysis` (the model's cells) plus what a
person did to it (``store``: the review sidecar; ``history``: undoable steps), and leaves as
``counts`` and ``differential`` figures and as ``tables`` (``cells.csv``, ``summary.csv``).
numpy and the standard library only, no torch: the window's process uses all of it. It may use
``io`` and ``analysis``, never ``segmentation`` or ``cells`` (those run in the model process).
"""
