"""Batch analysis that scales: streamed tables, resumable runs, a Dask cluster, whole-slide tiles.

``job`` analyses one image (or one tile) where it runs, a worker process or this one; ``records``
keeps what each finished image produced so that a rerun can skip it after checking it; ``tables``
streams cells.csv, images.csv and summary.csv in input order; ``tiles`` reads tiled TIFFs window
by window; ``runner`` walks the inputs locally or on a cluster (``cluster``). Qt-free.
"""
