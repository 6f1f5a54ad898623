"""Files in and out: images and masks read with clear errors, atomic writes, data-set pairs,
Pascal VOC boxes, and the app's folders.

Data enters the product here (``images.read_image`` turns any file into an 8-bit RGB
:class:`~wbc_desktop.core.io.images.ImageData`) and leaves through ``atomic`` writes. This
subpackage imports numpy, Pillow and tifffile only: no torch, no other part of the core but
``errors``, so anything (the window's process included) may use it cheaply.
"""
