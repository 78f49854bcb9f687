"""train.py refuses an agent that cannot run on the env (or its hyperparameters) before the run folder exists."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import train  # noqa: E402


@pytest.mark.parametrize(("algo", "extra", "message"), [
    ("successive_halving", [], "error: agent successive_halving needs an evaluator with fidelities: expected kind "
                               "'surrogate' (with learning-curve points), got ZeroCostEvaluator(zero_cost-v1-"),
    ("successive_halving", ["--hyperparams", "HYPER"],
     "error: hyperparameters {'eta': 1} are invalid for 'successive_halving': eta=1 is invalid: expected an int >= 2"),
])
def test_an_agent_the_env_cannot_run_writes_nothing(algo, extra, message, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NASGYM_CACHE", str(tmp_path / "cache"))
    (tmp_path / "hyper.yaml").write_text("eta: 1\n")
    extra = [str(tmp_path / "hyper.yaml") if e == "HYPER" else e for e in extra]
    logdir = tmp_path / "run"
    code = train.main(["--env", "nasgym/EdgeTPU-ZeroCost-v0", "--algo", algo, "--evaluations", "2", "--logdir",
                       str(logdir), "--no-progress", "--references", "none", *extra])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(message) and err.count("\n") == 1
    assert not logdir.exists()  # no run.json, evaluations.csv or TensorBoard files
    assert not (tmp_path / "cache").exists()  # nothing evaluated, no cache file


def test_a_compatible_agent_still_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("NASGYM_CACHE", str(tmp_path / "cache"))
    logdir = tmp_path / "run"
    code = train.main(["--env", "nasgym/EdgeTPU-ZeroCost-v0", "--algo", "random", "--evaluations", "2", "--logdir",
                       str(logdir), "--no-progress", "--no-tensorboard", "--references", "none"])
    assert code == 0
    assert len((logdir / "evaluations.csv").read_text().splitlines()) == 3  # header + 2 rows
