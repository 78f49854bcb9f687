"""train.py finalize / sample / export on real (tiny) run folders: a MaskablePPO and a black-box run on digits."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import nasgym

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import train  # noqa: E402

ENV_YAML = """id: Deploy-Digits
space: proxy
cost: {kind: edgetpu, hardware: tensor-g1}
evaluator: {kind: zero_cost, dataset: digits, threads: 1}
reward: {kind: abs, target_latency_ms: 0.5, beta: -0.10}
cache: null
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    (root / "env.yaml").write_text(ENV_YAML)
    (root / "hyper.yaml").write_text("n_steps: 32\nbatch_size: 32\nn_epochs: 1\n")
    common = ["--env", str(root / "env.yaml"), "--evaluations", "4", "--references", "none", "--no-progress",
              "--no-tensorboard", "--cache", str(root / "cache.sqlite")]
    assert train.main([*common, "--algo", "maskable_ppo", "--logdir", str(root / "mppo"), "--hyperparams",
                       str(root / "hyper.yaml")]) == 0
    assert train.main([*common, "--algo", "random", "--logdir", str(root / "random")]) == 0
    return root


def test_best_json_is_an_architecture(runs):
    text = (runs / "mppo" / "best.json").read_text()
    best = json.loads(text)
    assert nasgym.Architecture.from_json(text).hash == best["arch_hash"]


def test_sample_rolls_out_the_policy_with_masks(runs, capsys):
    assert train.main(["sample", str(runs / "mppo"), "-n", "2"]) == 0
    out = capsys.readouterr().out
    assert "deterministic" in out and "stochastic #1" in out and "stochastic #2" in out
    from nasgym.deploy.rollout import rollout

    rows = rollout(runs / "mppo", n=1)
    assert [r["mode"] for r in rows] == ["deterministic", "stochastic #1"]
    for row in rows:
        arch = nasgym.Architecture.parse(row["arch_string"])  # valid: masks kept every decision legal
        assert row["arch_hash"] == arch.hash and 0.0 <= row["accuracy"] <= 1.0 and row["latency_ms"] > 0
    assert rollout(runs / "mppo", n=1)[0]["arch_hash"] == rows[0]["arch_hash"]  # deterministic is deterministic


def test_sample_of_a_blackbox_run_lists_its_best(runs, capsys):
    assert train.main(["sample", str(runs / "random"), "-n", "2"]) == 0
    out = capsys.readouterr().out
    assert "best #1" in out and "best #2" in out
    best = json.loads((runs / "random" / "best.json").read_text())
    assert best["arch_hash"] in out.split("best #2")[0]


def test_user_mistakes_are_one_line(runs, tmp_path, capsys):
    (tmp_path / "run.json").write_text((runs / "mppo" / "run.json").read_text())
    cases = [
        (["sample", str(tmp_path)], "has no model.zip"),
        (["sample", str(runs / "nope")], "is not a run folder"),
        (["export", str(runs / "mppo"), "--format", "onnx"], "has no trained network"),
        (["export", str(runs / "mppo"), "--format", "tflite"], "--format 'tflite' is invalid"),
        (["finalize", "in8x8x1|nonsense"], "is invalid"),
        (["finalize", str(tmp_path / "missing.json")], "does not exist"),
    ]
    for argv, message in cases:
        assert train.main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: ") and message in err and "\n" not in err, (argv, err)


def test_finalize_a_run_trains_on_its_task(runs, capsys):
    folder = runs / "random"
    assert train.main(["finalize", str(folder), "--epochs", "1", "--train-images", "256", "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    record = json.loads((folder / "final" / "final.json").read_text())
    assert record["task"]["dataset"] == "digits" and record["arch_hash"] == json.loads(
        (folder / "best.json").read_text())["arch_hash"]
    assert "test acc" in out and f"train.py export {folder / 'final'}" in out


def test_run_folder_has_a_readable_pareto_plot(runs):
    from nasgym.search.recorder import SearchLogger, quality_label

    folder = runs / "random"
    assert (folder / "pareto.png").read_bytes()[:4] == b"\x89PNG"
    assert quality_label({"kind": "zero_cost"}) == "NASWOT score (mapped to [0, 1])"
    assert quality_label("default") == "predicted reference accuracy (short proxy training calibrated by size)"
    assert quality_label({"kind": "train"}) == "validation accuracy (short proxy training)"
    assert quality_label({"kind": "task", "task": "segmentation"}) == "mean IoU (validation)"
    assert quality_label({"kind": "train", "task": "segmentation"}) == "mean IoU (validation)"  # the task's metric
    assert quality_label({"kind": "task"}) == "mean IoU (validation)"  # kind task: segmentation by default
    assert quality_label({"kind": "task", "task": "text"}) == "validation accuracy (short proxy training)"
    refs = [{"name": "far", "latency_ms": 50.0}, {"name": "near", "latency_ms": 0.45, "accuracy": 0.5}]
    logger = SearchLogger(folder, 1.0, refs, tensorboard=False, target_latency_ms=0.5, quality_label="NASWOT score")
    fig = logger.figure()
    ax = fig.axes[0]
    latencies = [r["latency_ms"] for r in logger.rows]
    assert ax.get_ylabel() == "NASWOT score" and ax.get_xlim()[1] < 50.0  # fitted to candidates, not references
    assert ax.get_xlim()[0] <= min(latencies) and ax.get_xlim()[1] >= max(latencies + [0.5])
    texts = [t.get_text() for t in ax.texts]
    assert "refs 2 →" in texts and "2 far (50 ms)" in fig.texts[0].get_text()
    assert any(line.get_xdata()[0] == 0.5 for line in ax.get_lines() if len(line.get_xdata()) == 2)  # target
    logger.close()
