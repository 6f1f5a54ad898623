"""The compute core: no Qt here (checked by import-linter), so the CLI, the GUI, batch runs and
tests share one implementation.

Subpackages, one per concept, in the order one image walks through them (read these five files
to follow an image from its file to ``cells.csv``):

1. ``io/images.py`` ``read_image``: any file to 8-bit RGB, with clear errors (``io``);
2. ``segmentation/segmenter.py`` ``Segmenter``: brought to the model's scale (``imaging``),
   superpixels, graph and SMGNN give the class map (``segmentation``; its weights from ``weights``);
3. ``cells/instances.py`` ``find_cells``: the class map split into cells;
4. ``cells/classifier.py`` ``CellClassifier``: each cell typed;
5. ``export/tables.py``: the typed cells written as ``cells.csv``, ``images.csv`` and
   ``summary.csv``.

Around that walk: ``weights`` (model files, versions, the safe-file check), ``review`` (a
person's decisions and their undo history), ``lab`` (what a lab's own typed cells teach: prototypes,
find similar, lab profiles), ``editing`` (mask corrections), ``project`` (the
folder that keeps analyses and corrections; its names in ``project/layout.py``), ``retrain`` (new
versions from a project's corrections) and ``batch`` (many images, clusters, whole slides).
``pipeline.py`` runs steps 1-4 as ``Pipeline.analyze(path) -> Analysis`` (its named steps, a first
look deciding scale and colour, one segmentation, cells, the typing policy, are in
``pipeline_steps/``), ``slide_view.py`` the
same for a whole slide in tiles, and ``pipeline_process.py`` hosts the Pipeline in a child
process for the app. Shared by every subpackage: ``analysis`` (the result records), ``device``,
``progress`` (progress callback, cancel token), ``errors``, ``credits`` (what the app is made of).
Dependencies point down: batch, retrain > pipeline_process > pipeline > pipeline_steps > project >
editing > review > lab > cells > segmentation > imaging > weights > export > io (a layers contract in
``pyproject.toml``).
"""
