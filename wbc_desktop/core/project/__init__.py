"""A project folder, the product's main noun: one batch's analyses, a person's corrections and
reviews, kept as plain files (the format: docs/project-format.md).

``project`` (the Project: open, add images, attach histories, save), ``manifest``
(project.json, format version), ``recovery`` (masks, instances, migration, journal replay),
``cells_table`` (the project's cells.csv), ``read_back`` (an analysis read back), ``journal``
(finished strokes before they are saved), ``lock`` (one window per project), ``trainable`` (what
a project offers to retraining, read without opening it) and ``interop`` (masks, GeoJSON and COCO
in and out).

Data enters as analyses (:class:`~wbc_desktop.core.analysis.Analysis`) and a person's steps (a
``review`` History); it leaves as the project's files. It may import ``review``, ``cells``,
``io`` and the shared modules (analysis, errors), never torch or Qt (forbidden contracts); ``retrain``, the
command line and the window use it.
"""
