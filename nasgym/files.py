"""File idioms used across nasgym, written once: atomic writes, YAML files with a one-line error, the cache folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml


def temp_path(path: Path, suffix: str = "") -> Path:
    """The temp file an atomic write of ``path`` goes through: ``.NAME.PID.tmp`` + ``suffix`` in the same folder
    (so the rename stays on one filesystem; a run folder removes such leftovers on its next start)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp{suffix}")


@contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temp path to write ``path``'s new content to; when the block ends without an error it replaces
    ``path`` in one rename, so readers (and a crash at any moment) see the old file or the new one, never a part.
    On an error the temp file is removed, and an ``OSError`` that names no file (a full disk during a write) is
    re-raised naming ``path``."""
    path = Path(path)
    tmp = temp_path(path, suffix)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException as err:
        tmp.unlink(missing_ok=True)
        if isinstance(err, OSError) and err.filename is None and err.errno is not None:
            raise OSError(err.errno, err.strerror, str(path)) from err
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Replace ``path``'s content with ``text`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def yaml_error_text(err: yaml.YAMLError) -> str:
    """`` at line L, column C (problem)`` for a YAML parse error, on one line."""
    mark = getattr(err, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = " ".join(str(getattr(err, "problem", None) or err).split())
    return f"{where} ({problem})"


def read_yaml(path: str | os.PathLike, what: str, expected: str) -> Any:
    """The data of the YAML file ``path``; a parse error is one ``ValueError`` line:
    ``{what} 'PATH' is not valid YAML at line L, column C (problem): expected {expected}``."""
    try:
        return yaml.safe_load(Path(path).read_text())
    except yaml.YAMLError as err:
        raise ValueError(f"{what} {str(path)!r} is not valid YAML{yaml_error_text(err)}: expected {expected}") from None


def cache_dir() -> Path:
    """nasgym's cache folder: ``$NASGYM_CACHE`` if set, else ``~/.cache/nasgym`` (evaluation cache, supernets).

    Raises:
        ValueError: ``$NASGYM_CACHE`` names a file rather than a folder.
    """
    env = os.environ.get("NASGYM_CACHE")
    if env and (Path(env).expanduser().is_file() or Path(env).suffix in (".sqlite", ".sqlite3", ".db")):
        raise ValueError(f"NASGYM_CACHE={env!r} names a file: expected a folder (the cache file is "
                         "FOLDER/evaluations.sqlite, supernet checkpoints go next to it); --cache takes a file path")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "nasgym"
