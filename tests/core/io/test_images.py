import logging

import numpy as np
import pytest
from PIL import Image

from wbc_desktop.core.errors import InputError
from wbc_desktop.core.io.atomic import atomic_write_text, write_png_atomic
from wbc_desktop.core.io.images import class_map_to_mask, list_images, read_image, read_mask


def test_reads_fixture_as_rgb8(fixtures):
    img = read_image(fixtures / "cellavision" / "images" / "002.png")
    assert img.pixels.shape == (300, 300, 3) and img.pixels.dtype == np.uint8
    assert img.notes == []


@pytest.mark.parametrize("content, expect", [
    (b"", "empty"),
    (b"this is not an image at all", "not a readable image"),
])
def test_bad_files_give_one_line_errors(tmp_path, content, expect):
    p = tmp_path / "bad.png"
    p.write_bytes(content)
    with pytest.raises(InputError) as e:
        read_image(p)
    assert "bad.png" in str(e.value) and expect in str(e.value) and "\n" not in str(e.value)


def test_truncated_png(tmp_path, fixtures):
    data = (fixtures / "cellavision" / "images" / "002.png").read_bytes()
    p = tmp_path / "cut.png"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="cut.png"):
        read_image(p)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_image(tmp_path / "nope.png")


def test_too_small(tmp_path):
    p = tmp_path / "tiny.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(p)
    with pytest.raises(InputError, match="too small"):
        read_image(p)


def test_conversions_are_noted(tmp_path):
    gray = tmp_path / "g.png"
    Image.fromarray(np.full((40, 40), 100, np.uint8)).save(gray)
    rgba = tmp_path / "a.png"
    a = np.zeros((40, 40, 4), np.uint8)
    a[..., 0] = 200
    a[..., 3] = 255
    Image.fromarray(a).save(rgba)
    pal = tmp_path / "p.png"
    Image.fromarray(np.full((40, 40, 3), 50, np.uint8)).convert("P").save(pal)
    g16 = tmp_path / "g16.tif"
    import tifffile

    tifffile.imwrite(g16, (np.arange(1600).reshape(40, 40) * 40).astype(np.uint16))
    for p, word in [(gray, "grayscale"), (rgba, "alpha"), (pal, "palette"), (g16, "16-bit")]:
        img = read_image(p)
        assert img.pixels.shape == (40, 40, 3) and img.pixels.dtype == np.uint8
        assert any(word in n for n in img.notes), (p, img.notes)
    assert read_image(rgba).pixels[0, 0, 0] == 200


def test_16bit_uses_real_range(tmp_path):
    import tifffile

    p = tmp_path / "twelve_bit.tif"
    arr = np.zeros((32, 32, 3), np.uint16)
    arr[..., 0] = 4095  # a 12-bit camera's white
    tifffile.imwrite(p, arr)
    assert read_image(p).pixels[0, 0, 0] == 255


def test_decompression_bomb_is_refused(tmp_path, monkeypatch):
    import wbc_desktop.core.io.images as io

    monkeypatch.setattr(io, "MAX_PIXELS", 1000)
    p = tmp_path / "big.png"
    Image.fromarray(np.zeros((100, 100, 3), np.uint8)).save(p)
    with pytest.raises(InputError, match="too large"):
        read_image(p)


def test_mask_stray_values_map_to_nearest_with_log(tmp_path, caplog):
    m = np.zeros((20, 20), np.uint8)
    m[5:10, 5:10] = 128
    m[12:15, 12:15] = 255
    m[0, 0] = 9  # stray: nearest is 0
    m[1, 1] = 140  # stray: nearest is 128
    p = tmp_path / "m.png"
    Image.fromarray(m).save(p)
    with caplog.at_level(logging.WARNING):
        cls = read_mask(p)
    assert cls[0, 0] == 0 and cls[1, 1] == 1 and cls[6, 6] == 1 and cls[13, 13] == 2
    assert "stray" in caplog.text and "m.png" in caplog.text


def test_mask_wrong_size(tmp_path):
    p = tmp_path / "m.png"
    Image.fromarray(np.zeros((20, 20), np.uint8)).save(p)
    with pytest.raises(InputError, match="20x20"):
        read_mask(p, (30, 30))


def test_mask_roundtrip_and_atomic_write(tmp_path):
    cls = np.array([[0, 1], [2, 1]], np.uint8)
    write_png_atomic(tmp_path / "o" / "m.png", class_map_to_mask(cls))
    assert (read_mask(tmp_path / "o" / "m.png") == cls).all()
    atomic_write_text(tmp_path / "t.txt", "a")
    atomic_write_text(tmp_path / "t.txt", "b")
    assert (tmp_path / "t.txt").read_text() == "b"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_list_images_expands_folders(fixtures):
    files = list_images([fixtures / "cellavision" / "images"])
    assert len(files) == 5 and all(f.suffix == ".png" for f in files)
