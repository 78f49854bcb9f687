"""A log folder only continues the run it holds: another env, algorithm, seed or hyperparameters is refused with
one line, as is a folder another process is using; the refusal writes nothing."""

from __future__ import annotations

import pytest
from reliability_helpers import ENV, argv, one_line, rows_of, run

from nasgym.search.run_folder import RunFolder


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("identity")
    result = run(argv(root / "run", "evolution", evaluations=5), root / "cache")
    assert result.returncode == 0, result.stderr
    return root


@pytest.mark.parametrize(("extra", "message"), [
    (["--algo", "random"], 'holds another run (algo: "evolution" there, "random" here)'),
    (["--seed", "3"], "holds another run (seed: 0 there, 3 here; eval_seed: 0 there, 3 here)"),
    (["--env", "nasgym/EdgeTPU-ZeroCost-v0"], 'holds another run (env: "nasgym/Reliability-Fast-v0" there, '
                                              '"nasgym/EdgeTPU-ZeroCost-v0" here'),
])
def test_other_identity_is_refused(extra, message, folder):
    before = (folder / "run" / "evaluations.csv").read_text(), (folder / "run" / "run.json").read_text()
    args = argv(folder / "run", "evolution", evaluations=9)
    for key, value in zip(extra[::2], extra[1::2], strict=True):
        args[args.index(key) + 1] = value
    result = run(args, folder / "cache")
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.startswith(f"error: log folder '{folder / 'run'}' ") and message in line
    assert line.endswith("pass another --logdir (or rerun with that run's arguments to continue it)")
    assert ((folder / "run" / "evaluations.csv").read_text(), (folder / "run" / "run.json").read_text()) == before


def test_other_hyperparameters_are_refused(folder, tmp_path):
    hyper = tmp_path / "h.yaml"
    hyper.write_text("population_size: 7\n")
    result = run(argv(folder / "run", "evolution", "--hyperparams", str(hyper), evaluations=9), folder / "cache")
    assert result.returncode == 2
    assert 'holds another run (hyperparams: {} there, {"population_size": 7} here)' in one_line(result.stderr)


def test_same_identity_continues(folder):
    result = run(argv(folder / "run", "evolution", evaluations=7), folder / "cache")
    assert result.returncode == 0, result.stderr
    assert len(rows_of(folder / "run")) == 7


def test_folder_in_use_is_refused(folder):
    holder = RunFolder(folder / "run")
    holder._acquire()  # noqa: SLF001 - hold the lock as a running train.py does
    try:
        result = run(argv(folder / "run", "evolution", evaluations=8), folder / "cache")
    finally:
        holder.close()
    assert result.returncode == 2
    assert "is in use by another process (pid " in one_line(result.stderr)


def test_bench_refuses_a_folder_of_another_env(tmp_path):
    first = run(["bench", "--env", ENV, "--agents", "random", "--evaluations", "3", "--seeds", "1", "--logdir",
                 str(tmp_path / "bench")], tmp_path / "cache")
    assert first.returncode == 0, first.stderr
    second = run(["bench", "--env", "nasgym/EdgeTPU-ZeroCost-v0", "--agents", "random", "--evaluations", "3",
                  "--seeds", "1", "--logdir", str(tmp_path / "bench")], tmp_path / "cache")
    assert second.returncode == 2
    assert "holds another run (env: " in one_line(second.stderr)
    assert "EdgeTPU-ZeroCost" not in (tmp_path / "bench" / "bench.md").read_text()  # the old table stands
