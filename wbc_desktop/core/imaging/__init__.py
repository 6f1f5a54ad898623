"""What every image goes through before a network: its scale, its illumination, its stain.

Data enters as an 8-bit RGB array from :mod:`wbc_desktop.core.io` and leaves as a resize
factor (``scale``: red-cell ruler, pixel size), a white-balance gain (``illumination``) or
stain channels and jitter (``stain``), used by segmentation and cell typing alike. numpy,
scipy and scikit-image only: no torch, so the window's process may import it.
"""
