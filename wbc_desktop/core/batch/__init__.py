"""Batch analysis that scales: streamed tables, resumable runs, a Dask cluster, whole-slide tiles.

Data enters as a list of image paths (or one slide) and leaves as the files ``analyze`` writes
(``masks/``, ``overlays/``, ``cells.csv``, ``images.csv``, ``summary.csv``), in input order.
``job`` analyses one image (or one tile) where it runs, a worker process or this one; ``records``
keeps what each finished image produced so that a rerun can skip it after checking it; ``tables``
streams cells.csv, images.csv and summary.csv; ``slides`` cuts a whole slide into overlapping
tiles (geometry in ``io.tiles``) and merges their cells once; ``runner`` walks the inputs locally
or on a cluster (``cluster``). It sits on top of the core (it may use the pipeline and anything
below it); Qt-free, and dask is imported only when a cluster is asked for.
"""
