"""Evaluators and paths shared by the parallel tests (importable by name in Ray workers: see ``worker_path``)."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
ROOT = TESTS.parent
FAKESITE = TESTS / "reliability" / "fakesite"  # registers evaluator kind "fake" in every process
FAST_ENV = str(TESTS / "reliability" / "fast-env.yaml")

sys.path[:0] = [str(TESTS), str(ROOT)]
from nasgym_fakes import FakeEvaluator  # noqa: E402


def worker_path() -> str:
    """PYTHONPATH for Ray workers: this folder and tests/ (nasgym_fakes). Not the fake-evaluator site: its
    sitecustomize would import torch into every helper process Ray starts (slow)."""
    return os.pathsep.join([str(HERE), str(TESTS), str(ROOT)])


class KillOnceEvaluator:
    """The fake evaluator whose first evaluation kills its own process (like ``kill -9`` or the OOM killer).

    Every attempt leaves a marker file in ``folder``: ``killed-HASH`` for the killed one, ``done-HASH-...`` for each
    completed evaluation, so a test can count evaluations across processes.
    """

    fingerprint = "fake-v1"

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def evaluate(self, arch, seed: int) -> dict:
        folder = Path(self.folder)
        try:  # the first attempt of all (atomic: concurrent workers cannot both claim it)
            os.close(os.open(folder / "kill-claimed", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            pass
        else:
            (folder / f"killed-{arch.hash}").touch()
            os.kill(os.getpid(), signal.SIGKILL)
        (folder / f"done-{arch.hash}-{seed}-{os.getpid()}-{uuid.uuid4().hex[:8]}").touch()
        return FakeEvaluator().evaluate(arch, seed)


@contextlib.contextmanager
def fake_kind() -> Iterator[None]:
    """Evaluator kind ``fake`` known to ``make_evaluator`` in this process while the context lasts (the driver
    builds it for the cache fingerprint; other test folders list the registered kinds, so it is not left behind)."""
    import nasgym.quality.factory as factory

    factory.EVALUATORS["fake"] = lambda **_: FakeEvaluator()
    try:
        yield
    finally:
        factory.EVALUATORS.pop("fake", None)
