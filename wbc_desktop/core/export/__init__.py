"""The tables a lab keeps, as ``wbc-desktop analyze``, a batch and the app's export write them:
``tables`` (cells.csv: one row per cell with its final type; images.csv: how each image was read;
summary.csv: the differential), ``differential`` (percentages out of the white cells only) and
``layout`` (every file and folder name of analyze's output folder: masks/, overlays/, the tables).

Data enters as :class:`~wbc_desktop.core.analysis.Analysis` records and leaves as rows and CSV
files. It sits low (it may import only ``analysis`` and ``io``), so the pipeline, batches, the
project and the window all write the same bytes without importing the review.

Not the project's ``cells.csv``: see ``project.layout`` for how the two tables differ.
"""
