"""train.py with a fast fake evaluator and optional fault injection, for the reliability tests (run as a script).

    python tests/reliability/fault_train.py TRAIN_ARGS...

``evaluator: {kind: fake}`` (see ``fast-env.yaml``) is :class:`nasgym_fakes.FakeEvaluator`. ``NASGYM_FAULT`` injects
one fault as ``WHERE:N`` (the process SIGKILLs itself, like ``kill -9``):

- ``eval:N``: when the N-th architecture is being evaluated (computed, not a cache hit), before it is cached;
- ``sqlite:N``: inside the N-th cache write, after the INSERT and before the COMMIT;
- ``csv:N``: in the middle of writing the N-th row of ``evaluations.csv`` (half the line is on disk);
- ``checkpoint:N``: during the N-th SB3 checkpoint, after its model file is written, before the switch;
- ``ctrl-c:N``: when the N-th architecture is being evaluated, the process sends itself SIGINT (Ctrl-C) instead.

``NASGYM_FAULT_FSIZE=BYTES`` limits the size of any file the process writes (``RLIMIT_FSIZE``; writes past it fail
with ``EFBIG``), a disk that is full from that point on.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE.parent)]
# SubprocVecEnv workers (forkserver) register the fake evaluator through fakesite/sitecustomize.py
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE / "fakesite"), os.environ.get("PYTHONPATH")]))

from nasgym_fakes import FakeEvaluator  # noqa: E402

import nasgym.quality.factory as factory  # noqa: E402


def _die() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


class Counter:
    """Calls ``_die`` on the N-th call of the instrumented place."""

    def __init__(self, where: str, n: int) -> None:
        self.where, self.n, self.calls = where, n, 0

    def hit(self, where: str) -> bool:
        if where != self.where:
            return False
        self.calls += 1
        return self.calls == self.n


def install(fault: str) -> None:
    """Instrument the place named by ``fault`` (``WHERE:N``)."""
    where, n = fault.split(":")
    counter = Counter(where, int(n))
    if where in ("eval", "ctrl-c"):
        original = FakeEvaluator.evaluate

        def evaluate(self, arch, seed):
            if counter.hit(where):
                if where == "eval":
                    _die()
                os.kill(os.getpid(), signal.SIGINT)  # KeyboardInterrupt at the next bytecode, as a Ctrl-C
            return original(self, arch, seed)

        FakeEvaluator.evaluate = evaluate
    elif where == "sqlite":
        import nasgym.quality.cache as cache

        original_put = cache.EvaluationCache.put

        def put(self, arch_hash, fingerprint, seed, metrics, arch_json):
            if counter.hit("sqlite"):
                conn = self._connect()
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT OR REPLACE INTO evaluations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (arch_hash, fingerprint, int(seed), 0.0, 0.0, None, "{}", arch_json, 0.0))
                _die()
            return original_put(self, arch_hash, fingerprint, seed, metrics, arch_json)

        cache.EvaluationCache.put = put
    elif where == "csv":
        import nasgym.search.recorder as nlog

        original_record = nlog.SearchLogger.record

        def record(self, info):
            if not self._pending and counter.hit("csv"):
                line = ",".join(str(info.get(k, "")) for k in nlog.CSV_FIELDS)
                self._csv_file.write(line[: len(line) // 2])
                self._csv_file.flush()
                _die()
            return original_record(self, info)

        nlog.SearchLogger.record = record
    elif where == "checkpoint":
        import nasgym.search.checkpoint as ckpt

        original_fsync = ckpt._fsync

        def fsync(path):
            original_fsync(path)
            if path.name == "model.zip" and counter.hit("checkpoint"):
                _die()

        ckpt._fsync = fsync
    else:
        raise SystemExit(f"unknown fault {fault!r}")


def main() -> int:
    factory.EVALUATORS["fake"] = lambda **_: FakeEvaluator()
    if os.environ.get("NASGYM_FAULT"):
        install(os.environ["NASGYM_FAULT"])
    if os.environ.get("NASGYM_FAULT_FSIZE"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        limit = int(os.environ["NASGYM_FAULT_FSIZE"])
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    import torch

    torch.set_num_threads(1)
    import train

    return train.main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
