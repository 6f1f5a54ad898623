"""A project folder: one batch's analyses, a person's corrections and reviews, kept as plain files.

``project`` (the Project: open, add images, attach histories, save), ``manifest``
(project.json, format version), ``recovery`` (masks, instances, migration, journal replay),
``cells_table`` (cells.csv), ``read_back`` (an analysis read back), ``journal`` (finished
strokes before they are saved) and ``lock`` (one window per project). No torch, no Qt; the format
is documented in docs/project-format.md.
"""
