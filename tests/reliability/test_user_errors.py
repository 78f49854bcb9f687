"""Every user mistake ends in one line naming the value and what was expected: no traceback, no folder created."""

from __future__ import annotations

import pytest
from reliability_helpers import ENV, argv, hashes, one_line, rows_of, run


def env_file(tmp_path, old: str, new: str):
    path = tmp_path / "env.yaml"
    text = open(ENV).read()
    assert old in text
    path.write_text(text.replace(old, new))
    return str(path)


@pytest.mark.parametrize(("case", "message"), [
    ("hyperparams: invalid YAML", "is not valid YAML at line 3, column 1 (expected ',' or ']'"),
    ("hyperparams: wrong type", "error: hyperparameter n_steps='lots' is invalid for 'ppo': expected an integer"),
    ("env: latency not a number", "reward target_latency_ms='fast' is invalid: expected a number"),
    ("env: evaluator field typo", "datset"),
    ("env: not YAML", "is not valid YAML"),
    ("--checkpoint-every 0", "error: --checkpoint-every=0 is invalid: expected a positive integer"),
    ("--logdir is a file", "is a file: expected a folder"),
])
def test_user_mistake_is_one_line(case, message, tmp_path):
    args = argv(tmp_path / "run", "ppo", evaluations=3)
    if case.startswith("hyperparams"):
        hyper = tmp_path / "h.yaml"
        hyper.write_text("n_epochs: 2\nn_steps: [1, 2\n" if "YAML" in case else "n_steps: lots\n")
        args += ["--hyperparams", str(hyper)]
    elif case == "env: latency not a number":
        args[1] = env_file(tmp_path, "target_latency_ms: 0.5", "target_latency_ms: fast")
    elif case == "env: evaluator field typo":
        args[1] = env_file(tmp_path, "evaluator: {kind: fake}", "evaluator: {kind: zero_cost, datset: digits}")
    elif case == "env: not YAML":
        args[1] = env_file(tmp_path, "reward: {kind: abs,", "reward: {kind: abs,: :")
    elif case.startswith("--checkpoint-every"):
        args += ["--checkpoint-every", "0"]
    else:
        (tmp_path / "run").write_text("")
    result = run(args, tmp_path / "cache")
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert line.startswith("error: ") and message in line
    assert case == "--logdir is a file" or not (tmp_path / "run").exists()


def test_ctrl_c_stops_with_one_line_and_the_rerun_resumes(tmp_path):
    args = argv(tmp_path / "run", "ppo", "--checkpoint-every", "5", evaluations=40)
    stopped = run(args, tmp_path / "cache", fault="ctrl-c:13")  # Ctrl-C while the 13th architecture is evaluated
    assert stopped.returncode == 130
    assert one_line(stopped.stderr) == "stopped; rerun the same command to resume"
    assert 12 <= len(rows_of(tmp_path / "run")) < 40
    assert run(args, tmp_path / "cache").returncode == 0
    reference = run(argv(tmp_path / "reference", "ppo", evaluations=40), tmp_path / "cache")
    assert reference.returncode == 0
    assert hashes(tmp_path / "run") == hashes(tmp_path / "reference")
