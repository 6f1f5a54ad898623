"""The compute core: no Qt here (checked by import-linter), so the CLI, the GUI, batch runs and
tests share one implementation.

Subpackages, one per concept, in the order one image walks through them (read these five files
to follow an image from its file to ``cells.csv``):

1. ``io/images.py`` ``read_image``: any file to 8-bit RGB, with clear errors (``io``);
2. ``segmentation/segmenter.py`` ``Segmenter``: brought to the model's scale (``imaging``),
   superpixels, graph and SMGNN give the class map (``segmentation``; its weights from ``weights``);
3. ``cells/instances.py`` ``find_cells``: the class map split into cells;
4. ``cells/classifier.py`` ``CellClassifier``: each cell typed;
5. ``review/tables.py``: the typed cells, with a person's decisions, written as ``cells.csv``
   and ``summary.csv``.

Around that walk: ``weights`` (model files, versions, the safe-file check), ``retrain`` (new
versions from a project's corrections) and ``batch`` (many images, clusters, whole slides).
``pipeline.py`` runs steps 1-4 as ``Pipeline.analyze(path) -> Analysis``, ``slide_view.py`` the
same for a whole slide in tiles, and ``pipeline_process.py`` hosts the Pipeline in a child
process for the app. Shared by every subpackage: ``analysis`` (the result records), ``device``,
``progress`` (progress callback, cancel token), ``errors``, ``credits`` (what the app is made of).
Dependencies point down: batch, retrain > pipeline > review > cells > segmentation > imaging >
weights > io (a layers contract in ``pyproject.toml``).
"""
