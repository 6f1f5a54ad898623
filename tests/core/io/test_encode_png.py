import numpy as np

from wbc_desktop.core.io.atomic import encode_png


def test_png_compression_level_changes_size_not_pixels(tmp_path):
    import io

    from PIL import Image

    rng = np.random.default_rng(0)
    arr = (rng.random((64, 80, 3)) * 40).astype(np.uint8) + np.arange(80, dtype=np.uint8)[None, :, None]
    fast, small = encode_png(arr, 1), encode_png(arr, 9)
    for b in (fast, small):
        assert (np.asarray(Image.open(io.BytesIO(b))) == arr).all()
    assert len(small) <= len(fast)
