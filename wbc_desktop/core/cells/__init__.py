"""Cells: from a class map to typed white cells.

Data enters as the segmenter's class map plus the RGB image; ``instances`` splits the map into
cells (areas, N:C ratio, border flag), ``crops`` cuts each cell's normalised crop, and
:class:`~wbc_desktop.core.cells.classifier.CellClassifier` (network in ``model``, rotated-view
policy in ``views``) gives each a type, confidence and top-3; results leave as
:class:`~wbc_desktop.core.analysis.Cell` records. ``retype`` cuts the request the model process needs
to retype cells after a mask edit, and puts the answers back (torch-free: the window builds it).
Training aids (``augment``, ``evaluation``) live here too. It may use ``segmentation``'s outputs, ``imaging``, ``io`` and the core's top
modules, never ``review`` (the person's decisions sit above the model's).
"""
