"""SearchLogger: hypervolume, Pareto front, CSV/JSON files, TensorBoard tags, resuming."""

import csv
import json

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import nasgym
from nasgym.pareto import hypervolume, pareto_front
from nasgym.search.recorder import SearchLogger


def info(acc: float, lat: float, reward: float, arch_index: int = 0) -> dict:
    arch = nasgym.load_space("proxy").sample(arch_index)
    return {"accuracy": acc, "latency_ms": lat, "reward": reward, "energy_mj": 0.1, "params": 1.0, "macs": 2.0,
            "cache_hit": False, "eval_seconds": 0.5, "arch": arch.to_json(), "arch_hash": arch.hash,
            "arch_string": arch.to_string(), "eval_seed": 0}


def test_hypervolume_exact():
    assert hypervolume([], 2.0) == 0.0
    assert hypervolume([(0.5, 1.0)], 2.0) == pytest.approx(0.5 * 1.0 / 2.0)
    # staircase: (lat 0.5, acc 0.4), (lat 1.0, acc 0.8) against R = 2: 0.5*0.4 + 1.0*0.8 = 1.0 -> /2
    assert hypervolume([(0.4, 0.5), (0.8, 1.0)], 2.0) == pytest.approx(0.5)
    assert hypervolume([(0.4, 0.5), (0.8, 1.0), (0.3, 0.9)], 2.0) == pytest.approx(0.5)  # dominated: no change
    assert hypervolume([(0.9, 3.0)], 2.0) == 0.0  # beyond the reference point
    with pytest.raises(ValueError, match="reference_latency_ms=0 is invalid"):
        hypervolume([], 0)


def test_pareto_front():
    rows = [{"evaluation": i, "accuracy": a, "latency_ms": t} for i, (a, t) in
            enumerate([(0.5, 1.0), (0.6, 2.0), (0.55, 2.5), (0.4, 0.5), (0.6, 2.0), (float("nan"), 0.1)])]
    assert [r["evaluation"] for r in pareto_front(rows)] == [3, 0, 1]


def test_logger_files_and_resume(tmp_path):
    logger = SearchLogger(tmp_path, 2.0, [{"name": "ref", "latency_ms": 1.2, "accuracy": 0.5}], tensorboard=False)
    logger.record(info(0.5, 1.0, 0.4, 0))
    logger.record(info(0.7, 1.5, 0.6, 1))
    logger.record(info(0.6, 1.8, 0.5, 2))  # dominated
    assert logger.n_evaluations == 3 and len(logger.front) == 2
    assert logger.hv == pytest.approx((0.5 * 0.5 + 0.5 * 0.7) / 2.0)
    logger.close()
    logger.close()
    rows = list(csv.DictReader(open(tmp_path / "evaluations.csv")))
    assert [r["evaluation"] for r in rows] == ["1", "2", "3"] and rows[1]["accuracy"] == "0.7"
    pareto = list(csv.DictReader(open(tmp_path / "pareto.csv")))
    assert [float(r["latency_ms"]) for r in pareto] == [1.0, 1.5]
    best = json.loads((tmp_path / "best.json").read_text())
    assert best["reward"] == 0.6 and nasgym.Architecture.from_dict(best["arch"]).hash == best["arch_hash"]
    with open(tmp_path / "evaluations.csv", "a") as f:
        f.write("4,1.0,0.")  # a line cut short by a killed run (no newline)
    again = SearchLogger(tmp_path, 2.0, tensorboard=False)
    assert again.n_evaluations == 3 and again.best["reward"] == 0.6 and len(again.front) == 2
    assert again.record(info(0.9, 0.5, 0.9, 3))["evaluation"] == 4
    again.close()


def test_tensorboard_tags(tmp_path):
    logger = SearchLogger(tmp_path, 2.0, [{"name": "ref", "latency_ms": 1.2}], image_every=2)
    for i in range(3):
        logger.record(info(0.5 + 0.1 * i, 1.0 + 0.1 * i, 0.4 + 0.1 * i, i))
    logger.close({"algo": "test", "seed": 0})
    acc = EventAccumulator(str(tmp_path), size_guidance={"images": 0, "tensors": 0})
    acc.Reload()
    tags = acc.Tags()
    for tag in ("nas/reward", "nas/accuracy", "nas/latency_ms", "nas/best_reward", "nas/hypervolume"):
        assert tag in tags["scalars"]
    assert [e.value for e in acc.Scalars("nas/best_reward")] == pytest.approx([0.4, 0.5, 0.6])
    assert "nas/pareto_front" in tags["images"]
    assert "nas/best_architecture/text_summary" in tags["tensors"]


def test_bad_reference_latency(tmp_path):
    with pytest.raises(ValueError, match="reference_latency_ms=-1 is invalid"):
        SearchLogger(tmp_path, -1)
