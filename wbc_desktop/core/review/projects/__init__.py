"""A project folder: one batch's analyses, a person's corrections and reviews, kept as plain files.

``project`` (the Project: open, add images, attach histories, save), ``project_file``
(project.json, format version), ``project_store`` (masks, instances, migration, journal replay),
``project_cells`` (cells.csv), ``project_read`` (an analysis read back), ``journal`` (finished
strokes before they are saved) and ``lock`` (one window per project). No torch, no Qt; the format
is documented in docs/project-format.md.
"""
