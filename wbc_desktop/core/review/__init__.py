"""The person's decisions, kept apart from the model's output: retyped cells, signatures, undo
history, the differential count and the tables a lab keeps.

Data enters as an :class:`~wbc_desktop.core.analysis.Analysis` (the model's cells) plus what a
person did to it (``store``: the review sidecar; ``history``: undoable steps), and leaves as
``counts`` and ``differential`` figures and as ``tables`` (``cells.csv``, ``summary.csv``).

Mask corrections: ``edits`` (brush, fill, polygon: a :class:`~.edits.MaskPatch` of the touched
box), ``snap`` (superpixel snap), ``cell_ops`` (delete, add, split, merge, revert to the model),
``recompute`` (the touched cells re-derived) and ``mask_edit`` (``MaskEdit``: a patch as one step
of the same ``History`` as retyping).

Keeping it: ``projects`` (the project folder, its journal and lock), ``interop`` (masks, GeoJSON
and COCO in and out); ``retype`` and ``trainable`` hand cells to the models' side; ``doubt``
orders the cells a person should look at first.

No torch: the window's process uses all of it (a forbidden contract). It may use ``io``,
``analysis`` and the torch-free modules below it (``cells.instances``, ``segmentation.superpixels``),
never a network.
"""
