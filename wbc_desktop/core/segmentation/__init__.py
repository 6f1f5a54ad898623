"""Segmentation: every pixel to background, cytoplasm or nucleus, by SMGNN (or the U-Net reference).

Data enters as an RGB array brought to the model's scale by :mod:`wbc_desktop.core.imaging`;
``superpixels`` and ``graph`` build the paper's graph, ``forward`` runs one pass of a network
from ``models/``, and :class:`~wbc_desktop.core.segmentation.segmenter.Segmenter` returns the
class map at the input's size (big fields through ``candidates`` crops). Training lives here
too (``augment``, ``losses``, ``metrics``, ``training``, ``recipe``). It may import ``io``,
``imaging`` and the core's top modules (registry, device, progress, errors), never ``cells``
or ``review``: the class map leaves this subpackage and is turned into cells above it.
"""
