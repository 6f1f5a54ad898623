from pathlib import Path

from wbc_desktop.core.io.atomic import sha256_file
from wbc_desktop.core.project.locate import locate
from wbc_desktop.core.project.manifest import ProjectImage


def _record(root: Path, rel: str, data: bytes) -> ProjectImage:
    f = root / rel
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_bytes(data)
    return ProjectImage(key="k", name=f.name, path=rel, sha256=sha256_file(f))


def test_an_image_in_place_is_found(tmp_path):
    im = _record(tmp_path, "images/a.png", b"abc")
    assert locate(tmp_path, im) == (tmp_path / "images/a.png").resolve()


def test_a_moved_image_is_found_by_name_and_checksum_and_recorded_again(tmp_path):
    im = _record(tmp_path, "images/a.png", b"abc")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "images/a.png").rename(tmp_path / "elsewhere/a.png")
    (tmp_path / "other").mkdir()
    (tmp_path / "other/a.png").write_bytes(b"not the same")  # same name, other content: not taken
    assert locate(tmp_path, im) == (tmp_path / "elsewhere/a.png").resolve()
    assert im.path == "elsewhere/a.png"


def test_a_missing_image_is_none(tmp_path):
    im = _record(tmp_path, "a.png", b"abc")
    (tmp_path / "a.png").unlink()
    assert locate(tmp_path, im) is None
