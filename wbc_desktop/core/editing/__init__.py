"""Mask corrections: what a brush, a fill, a snap or a cell operation does to an analysis.

``edits`` (brush, fill, polygon: a :class:`~.edits.MaskPatch` of the touched box), ``snap``
(superpixel snap), ``wand`` (the magic wand on the segmenter's kept logits or node embeddings),
``refine`` (the edited edge's band fitted to the image by a random walker), ``cell_ops`` (delete, add, split, merge, revert to the model), ``recompute``
(the touched cells re-derived from the masks) and ``mask_edit`` (``MaskEdit``: a patch as one
step of the review's ``History``, so strokes and retypes undo in one order).

Data enters as an :class:`~wbc_desktop.core.analysis.Analysis` and a tool's pixels; it leaves as
patches applied to the class map and instances, and the ids of the cells to retype. No torch, no
Qt (forbidden contracts). It may import ``review`` (the history it adds steps to), ``cells``
(finding cells), ``segmentation``'s torch-free superpixels, ``io`` and ``analysis``; the
``project`` above journals its patches.
"""
