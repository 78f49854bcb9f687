"""One-line errors before anything is written: Ray not installed, a Ray address that is unreachable or malformed,
--workers for an SB3 algorithm."""

from __future__ import annotations

import contextlib
import io
import sys

import parallel_helpers as helpers
import pytest

import train
from nasgym.parallel import make_executor
from nasgym.parallel.ray_executor import RayUnavailable, check_address, require_ray


def _main(tmp_path, *extra: str) -> tuple[int, str]:
    argv = ["--env", helpers.FAST_ENV, "--algo", "evolution", "--evaluations", "3", "--logdir", str(tmp_path / "run"),
            "--references", "none", "--no-progress", "--no-tensorboard", "--cache", str(tmp_path / "c.sqlite"), *extra]
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = train.main(argv)
    lines = [line for line in err.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1, err.getvalue()
    assert not (tmp_path / "run").exists()  # refused before the run folder is created
    return code, lines[0]


def test_ray_not_installed(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    code, line = _main(tmp_path, "--workers", "2", "--ray-address", "local")
    assert code == 2
    assert line == ("error: Ray is not installed (needed for --ray-address and Ray executors): "
                    "pip install 'nasgym[ray]'")
    with pytest.raises(RayUnavailable, match=r"pip install 'nasgym\[ray\]'"):
        make_executor({"kind": "fake"}, 2, address="auto")
    with pytest.raises(RayUnavailable):
        require_ray()


def test_unreachable_address(tmp_path):
    code, line = _main(tmp_path, "--ray-address", "127.0.0.1:1")
    assert code == 2
    assert line.startswith("error: Ray cluster at '127.0.0.1:1' is unreachable (")
    assert line.endswith("start it with `ray start --head` there, or check the address")


@pytest.mark.parametrize("address", ["nohost", "host:port", "ray://:10001"])
def test_malformed_address(address):
    with pytest.raises(RayUnavailable, match="is invalid: expected HOST:PORT"):
        check_address(address)


def test_workers_for_sb3_algorithms_are_refused(tmp_path):
    code, line = _main(tmp_path, "--algo", "ppo", "--workers", "2")
    assert code == 2
    assert "--workers/--ray-address are for black-box agents, not 'ppo'" in line


@pytest.mark.parametrize("workers", [0, -1])
def test_workers_must_be_positive(tmp_path, workers):
    code, line = _main(tmp_path, "--workers", str(workers))
    assert (code, line) == (2, f"error: --workers={workers} is invalid: expected a positive integer")
