import sys

from wbc_desktop.core import memory


def test_native_caches_are_bounded_unless_the_user_chose(monkeypatch):
    monkeypatch.delenv("LRU_CACHE_CAPACITY", raising=False)
    monkeypatch.setenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "3")
    memory.bound_native_caches()
    import os

    assert os.environ["LRU_CACHE_CAPACITY"] == memory.CACHE_CAPACITY
    assert os.environ["ONEDNN_PRIMITIVE_CACHE_CAPACITY"] == "3"


def test_freed_memory_is_released_on_glibc_and_ignored_elsewhere():
    done = memory.release_freed_memory()
    assert isinstance(done, bool)
    if not sys.platform.startswith("linux"):
        assert not done
