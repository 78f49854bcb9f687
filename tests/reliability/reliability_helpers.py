"""Helpers of the fault-injection suite: runs of train.py on the fast fake-evaluator env, killed or not."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ENV = str(HERE / "fast-env.yaml")
HARNESS = str(HERE / "fault_train.py")
BASE = ("--env", ENV, "--references", "none", "--no-progress", "--no-tensorboard")
# SubprocVecEnv workers (forkserver) of in-process runs register the fake evaluator through fakesite/
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE / "fakesite"), os.environ.get("PYTHONPATH")]))
sys.path[:0] = [str(ROOT), str(HERE.parent)]

from nasgym_fakes import FakeEvaluator  # noqa: E402

import nasgym.quality.factory as _factory  # noqa: E402


def argv(logdir: Path, algo: str, *extra: str, evaluations: int | None = None, seed: int = 0) -> list[str]:
    """train.py arguments of a run on the fast env."""
    budget = ["--evaluations", str(evaluations)] if evaluations is not None else []
    return [*BASE, "--algo", algo, "--logdir", str(logdir), "--seed", str(seed), *budget, *extra]


def run(args: list[str], cache_dir: Path, fault: str | None = None, fsize: int | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess:
    """``train.py ARGS`` with its own cache folder: in this process (fast) unless a fault is injected, then
    ``fault_train.py ARGS`` in a subprocess (see the harness)."""
    if not fault and not fsize:
        return run_here(args, cache_dir)
    env = {**os.environ, "NASGYM_CACHE": str(cache_dir)}
    env.pop("NASGYM_FAULT", None)
    if fault:
        env["NASGYM_FAULT"] = fault
    if fsize:
        env["NASGYM_FAULT_FSIZE"] = str(fsize)
    return subprocess.run([sys.executable, HARNESS, *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=timeout)


def run_here(args: list[str], cache_dir: Path) -> subprocess.CompletedProcess:
    """``train.main(args)`` in this process (same settings as the harness: one torch thread, fake evaluator)."""
    import torch

    import train

    previous = os.environ.get("NASGYM_CACHE"), torch.get_num_threads()
    os.environ["NASGYM_CACHE"] = str(cache_dir)
    torch.set_num_threads(1)
    _factory.EVALUATORS["fake"] = lambda **_: FakeEvaluator()  # only during the run: other tests list the kinds
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = train.main(list(args))
    finally:
        _factory.EVALUATORS.pop("fake", None)
        if previous[0] is None:
            os.environ.pop("NASGYM_CACHE", None)
        else:
            os.environ["NASGYM_CACHE"] = previous[0]
        torch.set_num_threads(previous[1])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def run_killed_after(args: list[str], cache_dir: Path, rows: int, extra_delay: float, timeout: float = 120,
                     sig: int = signal.SIGKILL) -> subprocess.CompletedProcess | int:
    """Start a run, send ``sig`` to its process group ``extra_delay`` seconds after its log holds ``rows`` rows
    (SIGKILL: like ``kill -9``; SIGINT: like Ctrl-C in a terminal). Returns the exit code (-9 when killed, 0 if it
    finished first), or for other signals the completed process with its output."""
    env = {**os.environ, "NASGYM_CACHE": str(cache_dir)}
    env.pop("NASGYM_FAULT", None)
    log = Path(args[args.index("--logdir") + 1]) / "evaluations.csv"
    pipe = subprocess.DEVNULL if sig == signal.SIGKILL else subprocess.PIPE
    proc = subprocess.Popen([sys.executable, HARNESS, *args], cwd=ROOT, env=env, stdout=pipe, stderr=pipe, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if log.exists() and log.read_text().count("\n") - 1 >= rows:
            time.sleep(extra_delay)
            os.killpg(proc.pid, sig)  # the run and its SubprocVecEnv workers
            break
        time.sleep(0.01)
    if sig == signal.SIGKILL:
        return proc.wait()
    out, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def rows_of(logdir: Path) -> list[dict]:
    """The rows of a run's evaluations.csv (as strings)."""
    with open(Path(logdir) / "evaluations.csv", newline="") as f:
        return list(csv.DictReader(f))


def hashes(logdir: Path) -> list[str]:
    """The architecture sequence of a run."""
    return [r["arch_hash"] for r in rows_of(logdir)]


def one_line(text: str) -> str:
    """The single non-empty line of ``text`` (asserts there is exactly one)."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]
