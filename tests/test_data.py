"""Data-set loading: the lookup order, checksums, downloads (from a local server, never
the network), and the errors for offline use and for corrupt files."""

from __future__ import annotations

import functools
import hashlib
import http.server
import socket
import threading

import pytest

from zero_to_hero import data
from zero_to_hero.data import ENV_VAR, DataFile, DataSetError, data_path, find_local

GOOD = b"alice\nbob\n"


@pytest.fixture
def served(tmp_path):
    """A local HTTP server over a folder; yields (folder, base URL, list of requested
    paths)."""
    root = tmp_path / "server"
    root.mkdir()
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            requests.append(self.path)

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}", requests
    httpd.shutdown()


def small_file(url: str) -> DataFile:
    return DataFile("small.txt", url, hashlib.sha256(GOOD).hexdigest())


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)


def test_explicit_path_wins_and_is_used_as_is(tmp_path, monkeypatch):
    own = tmp_path / "mine.txt"
    own.write_text("zed\n")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert data_path(small_file("http://unused"), own) == own
    with pytest.raises(FileNotFoundError, match=r"no such file: .*missing\.txt"):
        data_path(small_file("http://unused"), tmp_path / "missing.txt")


def test_env_dir_is_used_and_checked(tmp_path, monkeypatch):
    (tmp_path / "small.txt").write_bytes(GOOD)
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert (
        data_path(small_file("http://unused"), cache_dir=tmp_path / "c")
        == tmp_path / "small.txt"
    )
    (tmp_path / "small.txt").write_bytes(GOOD[:-3])  # truncated
    with pytest.raises(
        DataSetError,
        match=r"found through \$ZERO_TO_HERO_DATA\) has SHA-256 .* corrupt, truncated",
    ):
        data_path(small_file("http://unused"), cache_dir=tmp_path / "c")


def test_download_fills_the_cache_once(served, tmp_path, no_env):
    root, base, requests = served
    (root / "small.txt").write_bytes(GOOD)
    cache = tmp_path / "cache"
    first = data_path(small_file(f"{base}/small.txt"), cache_dir=cache)
    second = data_path(small_file(f"{base}/small.txt"), cache_dir=cache)
    assert first == second == cache / "small.txt" and first.read_bytes() == GOOD
    assert len(requests) == 1


def test_a_corrupt_download_is_an_error_and_leaves_nothing_behind(
    served, tmp_path, no_env
):
    root, base, _ = served
    (root / "small.txt").write_bytes(b"something else entirely\n")
    cache = tmp_path / "cache"
    with pytest.raises(DataSetError, match="failed its checksum"):
        data_path(small_file(f"{base}/small.txt"), cache_dir=cache)
    assert not cache.exists() or not any(cache.iterdir())


def test_a_corrupt_cached_copy_is_replaced(served, tmp_path, no_env):
    root, base, _ = served
    (root / "small.txt").write_bytes(GOOD)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "small.txt").write_bytes(b"half")
    assert (
        data_path(small_file(f"{base}/small.txt"), cache_dir=cache).read_bytes() == GOOD
    )


def test_offline_without_a_copy_names_the_variable_and_the_address(tmp_path, no_env):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/small.txt"
    with pytest.raises(DataSetError) as err:
        data_path(small_file(url), cache_dir=tmp_path / "cache")
    assert ENV_VAR in str(err.value) and url in str(err.value)


@pytest.mark.parametrize(
    "file", [data.NAMES, data.SHAKESPEARE, data.TAYLORSWIFT], ids=lambda f: f.filename
)
def test_the_course_data_sets_are_available_offline_and_verified(file):
    """The tests never download: the data sets must be found through ZERO_TO_HERO_DATA
    (CI points it at the shared copies) or in the user cache (`zero-to-hero data
    fetch`)."""
    path = find_local(file)
    assert path is not None, (
        f"{file.filename} is not available offline: set {ENV_VAR} to a directory "
        "holding it, or run `zero-to-hero data fetch` once"
    )
    assert hashlib.sha256(path.read_bytes()).hexdigest() == file.sha256


def test_loaders_return_the_expected_shapes():
    names = data.load_names()
    assert (
        len(names) == 32033 and min(map(len, names)) == 2 and max(map(len, names)) == 15
    )
    assert set("".join(names)) == set("abcdefghijklmnopqrstuvwxyz")
    text = data.load_shakespeare()
    assert len(set(text)) == 65 and text.startswith("First Citizen:")
    assert "Taylor" in data.load_taylorswift()


def test_an_interrupted_download_leaves_no_file(served, tmp_path, no_env, monkeypatch):
    """The download writes through files.atomic_write: a failure midway (here the disk
    filling up after the first chunk) leaves neither the file nor a temporary one."""
    root, base, _ = served
    (root / "small.txt").write_bytes(GOOD)
    cache = tmp_path / "cache"
    import tqdm

    def full_disk(self, n):
        raise OSError("No space left on device")

    monkeypatch.setattr(tqdm.tqdm, "update", full_disk)
    with pytest.raises(DataSetError, match="could not be downloaded"):
        data_path(small_file(f"{base}/small.txt"), cache_dir=cache)
    assert not any(cache.iterdir())
