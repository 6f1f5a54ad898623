"""What an image's look says before (and right after) a network: its scale, illumination, stain,
and how familiar it is.

Data enters as an 8-bit RGB array from :mod:`wbc_desktop.core.io` and leaves as a resize
factor (``scale``: red-cell ruler, pixel size), a white-balance gain (``illumination``), stain
channels and jitter (``stain``), a lab's colour calibration (``calibration``, learned from its
corrected masks; ``self_calibration``, fitted to an unfamiliar image's own first pass) and a
familiarity score (``familiarity``: how like the training images an image's statistics are),
used by segmentation and cell typing alike. numpy, scipy and scikit-image only: no torch, so the
window's process may import it.
"""
