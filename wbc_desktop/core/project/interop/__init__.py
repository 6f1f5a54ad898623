"""Masks, cells and types in and out of a project, in the formats other tools read.

``geometry`` turns a pixel mask into a valid shapely polygon and back (scikit-image contours,
shapely validity); ``geojson`` writes and reads QuPath cell objects (``geometry`` +
``nucleusGeometry``, ``classification.name``); ``coco`` writes COCO instance JSON with RLE masks
(pycocotools); ``masks`` reads corrected masks strictly; ``project_io`` applies them to a
:class:`~wbc_desktop.core.project.project.Project` as corrections, and exports a project. Data
enters as files and leaves as files; inside, everything goes through the project's history, so
an import is journalled and undoable like a stroke.
"""
