"""The course's data sets: where to find them, how to check them, how to fetch them.

Each file is looked up in this order, and the first hit wins:

1. an explicit `path` argument (your own copy: used as is, not checksummed);
2. the directory named by the environment variable `ZERO_TO_HERO_DATA`;
3. this user's cache directory (`platformdirs`), e.g. `~/.cache/zero-to-hero`;
4. a download from the file's canonical address into that cache.

Files found in steps 2–4 must match their published SHA-256, so a corrupt or truncated
copy is an error, never a silently different data set. Downloads go through
`files.atomic_write`: the file takes its place only after the checksum
matched: an interrupted or wrong download leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from zero_to_hero.errors import ZeroToHeroError
from zero_to_hero.files import atomic_write

__all__ = [
    "ENV_VAR",
    "DataFile",
    "DataSetError",
    "NAMES",
    "SHAKESPEARE",
    "TAYLORSWIFT",
    "DATA_SETS",
    "find_local",
    "data_path",
    "load_text",
    "load_names",
    "load_shakespeare",
    "load_taylorswift",
]

ENV_VAR = "ZERO_TO_HERO_DATA"


class DataSetError(ZeroToHeroError, RuntimeError):
    """A data set could not be found, downloaded, or verified."""


@dataclass(frozen=True)
class DataFile:
    """A published text file: its name, canonical address and SHA-256."""

    filename: str
    url: str
    sha256: str
    description: str = ""


NAMES = DataFile(
    "names.txt",
    "https://raw.githubusercontent.com/karpathy/makemore/master/names.txt",
    "0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d",
    "32,033 lowercase first names, one per line (makemore's data set)",
)
SHAKESPEARE = DataFile(
    "tinyshakespeare.txt",
    "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/"
    "tinyshakespeare/input.txt",
    "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    "Tiny Shakespeare: about 40,000 lines of plays (char-rnn's data set)",
)
TAYLORSWIFT = DataFile(
    "taylorswift.txt",
    "https://raw.githubusercontent.com/karpathy/minbpe/master/tests/taylorswift.txt",
    "c2e39cb822d4ae0caac22152cefc306d466e31217a9c5524e493ad2b76792f57",
    "the Wikipedia article on Taylor Swift (minbpe's test text; CC BY-SA)",
)


#: Every data set of the course, by the name the command line uses.
DATA_SETS = {"names": NAMES, "shakespeare": SHAKESPEARE, "taylorswift": TAYLORSWIFT}


def _default_cache() -> Path:
    import platformdirs

    return platformdirs.user_cache_path("zero-to-hero")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _verified(path: Path, file: DataFile, where: str) -> Path:
    actual = _sha256(path)
    if actual != file.sha256:
        raise DataSetError(
            f"{path} ({where}) has SHA-256 {actual}, but {file.filename} must have "
            f"{file.sha256}: the file is corrupt, truncated or a different file. "
            f"Delete it (or replace it with a fresh copy of {file.url})."
        )
    return path


def find_local(
    file: DataFile, cache_dir: str | os.PathLike | None = None
) -> Path | None:
    """The verified copy of `file` through `ZERO_TO_HERO_DATA` or in the cache; None if
    there is none (nothing is downloaded).

    Raises:
        DataSetError: `ZERO_TO_HERO_DATA` is set but is not a directory, or the copy
            found through it fails its checksum.
    """
    env_dir = os.environ.get(ENV_VAR)
    if env_dir and not Path(env_dir).is_dir():
        raise DataSetError(
            f"${ENV_VAR} is {env_dir!r}, which is not a directory: point it at the "
            f"folder that holds {file.filename}, or unset it"
        )
    if env_dir:
        candidate = Path(env_dir) / file.filename
        if candidate.is_file():
            return _verified(candidate, file, f"found through ${ENV_VAR}")
    cache = Path(cache_dir) if cache_dir is not None else _default_cache()
    cached = cache / file.filename
    if cached.is_file() and _sha256(cached) == file.sha256:
        return cached
    return None  # a corrupt cached copy counts as missing: the download replaces it


def data_path(
    file: DataFile,
    path: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
) -> Path:
    """Find `file` (see the module docstring for the order), downloading it if needed.

    Args:
        file: Which data set.
        path: Your own copy; returned as is if it exists.
        cache_dir: Overrides the user cache directory (tests use a temporary one).

    Raises:
        FileNotFoundError: `path` was given but does not exist.
        DataSetError: a copy failed its checksum, or the download failed.
    """
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(
                f"no such file: {path} (given as the path of {file.filename})"
            )
        return path
    local = find_local(file, cache_dir)
    if local is not None:
        return local
    return _download(
        file, Path(cache_dir) if cache_dir is not None else _default_cache()
    )


def _download(file: DataFile, cache: Path) -> Path:
    """Download `file` into `cache`, verifying its checksum before it takes its place
    (through `files.atomic_write`: a failed or interrupted download leaves nothing)."""
    import requests
    from tqdm import tqdm

    target = cache / file.filename
    digest = hashlib.sha256()
    try:
        with requests.get(file.url, stream=True, timeout=60) as response:
            response.raise_for_status()
            size = int(response.headers.get("content-length", 0)) or None
            with (
                atomic_write(target) as out,
                tqdm(total=size, unit="B", unit_scale=True, desc=file.filename) as bar,
            ):
                for chunk in response.iter_content(chunk_size=1 << 16):
                    digest.update(chunk)
                    out.write(chunk)
                    bar.update(len(chunk))
                if digest.hexdigest() != file.sha256:
                    raise DataSetError(
                        f"the download of {file.url} failed its checksum: sha256 "
                        f"{digest.hexdigest()}, expected {file.sha256}"
                    )
    except (requests.RequestException, OSError) as err:
        raise DataSetError(
            f"{file.filename} is not available offline and could not be downloaded "
            f"from {file.url} ({type(err).__name__}). Put a copy in a directory and "
            f"set the environment variable {ENV_VAR} to that directory."
        ) from None
    return target


def load_text(file: DataFile, path: str | os.PathLike | None = None) -> str:
    """The whole file as a string (UTF-8; a byte-order mark at the start is dropped,
    not read as a character)."""
    found = data_path(file, path)
    try:
        return found.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataSetError(
            f"{found} is not UTF-8 text (byte {err.start}: {err.reason}); save it as "
            "UTF-8"
        ) from None


def load_names(path: str | os.PathLike | None = None) -> list[str]:
    """The names of makemore's data set, one per line, in file order.

    >>> names = load_names()
    >>> len(names), names[:3]
    (32033, ['emma', 'olivia', 'ava'])
    """
    names = load_text(NAMES, path).splitlines()
    if not any(names):
        raise DataSetError(
            f"{path or NAMES.filename} holds no names: expected one name a line"
        )
    return names


def load_shakespeare(path: str | os.PathLike | None = None) -> str:
    """Tiny Shakespeare as one string."""
    return load_text(SHAKESPEARE, path)


def load_taylorswift(path: str | os.PathLike | None = None) -> str:
    """The Wikipedia article on Taylor Swift, minbpe's tokenizer test text."""
    return load_text(TAYLORSWIFT, path)
