"""A run's log folder: one process at a time, one run identity, no stale temp files.

:meth:`RunFolder.open` is called before anything is written to the folder. It

- takes an exclusive lock (``.lock``, ``flock``; released by the OS even on ``kill -9``), so two processes never
  append to the same ``evaluations.csv``;
- removes temp files (``*.tmp``, ``*.tmp.zip``) that an interrupted atomic write left behind;
- compares the run's *identity* (env definition, algorithm, seed, ... everything that decides which
  architectures are evaluated) with the one stored in ``run.json``: a folder holding another run is refused with a
  one-line :class:`RunFolderError`, so runs never mix; a matching or new folder gets ``run.json`` (re)written.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any

from nasgym.files import atomic_write_text

RUN_FILE = "run.json"
LOCK_FILE = ".lock"
_TEMP_PATTERNS = ("*.tmp", ".*.tmp", "*.tmp.zip", ".*.tmp.zip")
_FIRST = ("env", "algo", "seed")  # reported first when identities differ


class RunFolderError(ValueError):
    """The log folder cannot be used for this run (in use, or holds another run)."""


def normalize(value: Any) -> Any:
    """``value`` as plain JSON data (what ``run.json`` stores and compares)."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


class RunFolder:
    """The folder of one run (see the module docstring)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock: Any = None

    def open(self, identity: dict, record: dict) -> None:
        """Lock, clean and check the folder, then write ``run.json`` = ``record`` plus ``identity``.

        Raises:
            RunFolderError: If another process holds the folder or it holds a run of another identity.
        """
        if self.path.exists() and not self.path.is_dir():
            raise RunFolderError(f"--logdir {str(self.path)!r} is a file: expected a folder (new or of this run)")
        self.path.mkdir(parents=True, exist_ok=True)
        self._acquire()
        try:
            self._remove_temp_files()
            identity = normalize(identity)
            self._check_identity(identity)
            self._write_run_file({**normalize(record), "identity": identity})
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Release the lock (idempotent)."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def _acquire(self) -> None:
        handle = open(self.path / LOCK_FILE, "a+")  # noqa: SIM115 (held until close)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "?"
            handle.close()
            raise RunFolderError(f"log folder {str(self.path)!r} is in use by another process (pid {owner}): wait "
                                 "for it to finish or pass another --logdir") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._lock = handle

    def _remove_temp_files(self) -> None:
        for pattern in _TEMP_PATTERNS:
            for path in self.path.glob(pattern):
                if path.is_file():
                    path.unlink(missing_ok=True)

    def stored_identity(self) -> dict | None:
        """The identity in ``run.json`` (``None`` for a new folder or one written before identities existed)."""
        path = self.path / RUN_FILE
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None  # a run.json cut short by an old non-atomic write: rewritten below
        return data.get("identity") if isinstance(data, dict) else None

    def _check_identity(self, identity: dict) -> None:
        stored = self.stored_identity()
        if stored is None:
            return
        keys = sorted(set(stored) | set(identity), key=lambda k: (_FIRST.index(k) if k in _FIRST else len(_FIRST), k))
        differ = [k for k in keys if stored.get(k) != identity.get(k)]
        if differ:
            what = "; ".join(f"{k}: {_short(stored.get(k))} there, {_short(identity.get(k))} here" for k in differ[:3])
            what += f"; {len(differ) - 3} more" if len(differ) > 3 else ""
            raise RunFolderError(f"log folder {str(self.path)!r} holds another run ({what}): pass another --logdir "
                                 "(or rerun with that run's arguments to continue it)")

    def _write_run_file(self, data: dict) -> None:
        path = self.path / RUN_FILE
        atomic_write_text(path, json.dumps(data, indent=2, default=str) + "\n")
