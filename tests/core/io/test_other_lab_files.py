"""Files other labs send: compressed TIFFs, a folder named like an image."""

import numpy as np
import pytest
import tifffile

from wbc_desktop.core.io.images import describe_no_images, list_images, read_image


def _smooth_rgb(h=48, w=64):
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 3, y * 4, (x + y) * 2], -1).clip(0, 255).astype(np.uint8)


@pytest.mark.parametrize("compression", ["lzw", "deflate", "packbits", "zstd"])
def test_lossless_tiff_compressions_read_exactly(tmp_path, compression):
    a = _smooth_rgb()
    p = tmp_path / f"cam_{compression}.tif"
    tifffile.imwrite(p, a, compression=compression, photometric="rgb")
    img = read_image(p)
    assert np.array_equal(img.pixels, a)


def test_jpeg_in_tiff_reads_close(tmp_path):
    a = _smooth_rgb()
    p = tmp_path / "cam_jpeg.tif"
    tifffile.imwrite(p, a, compression="jpeg", photometric="rgb")
    img = read_image(p)
    assert img.pixels.shape == a.shape
    assert np.abs(img.pixels.astype(int) - a).mean() < 4  # lossy, but the same picture


def test_lzw_without_imagecodecs_falls_back_to_pillow(tmp_path, monkeypatch):
    a = _smooth_rgb()
    p = tmp_path / "cam.tif"
    tifffile.imwrite(p, a, compression="lzw", photometric="rgb")

    def refuse(self, *a, **k):
        raise ValueError("<COMPRESSION.LZW: 5> requires the 'imagecodecs' package")

    monkeypatch.setattr(tifffile.TiffPage, "asarray", refuse)
    img = read_image(p)
    assert np.array_equal(img.pixels, a)
    assert any("Pillow" in n for n in img.notes)


def test_folder_named_like_an_image_is_named_in_the_error(tmp_path):
    d = tmp_path / "x.png"
    d.mkdir()
    assert list_images([d]) == []
    msg = describe_no_images([d])
    assert "x.png" in msg and "folder" in msg and "\n" not in msg


def test_missing_path_is_named(tmp_path):
    assert "gone.tif: not found" in describe_no_images([tmp_path / "gone.tif"])
