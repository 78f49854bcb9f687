"""benchmarks/space_comparison.py: the small-space pair (proxy vs proxy-dw-only) on a synthetic surrogate with a tiny
budget, the confirmation list, and the full-size pair's configuration and text unchanged."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from benchmark_scripts import benchmark_module
from surrogate_helpers import TINY_SPEC

import nasgym
from nasgym.envs_config import load_env_config
from nasgym.hw import make_cost_model
from nasgym.surrogate.dataset import Table


@pytest.fixture(scope="module")
def sc():
    with benchmark_module("space_comparison") as module:
        yield module


def row(h: str, acc: float, lat: float, reward: float, evaluation: int = 1) -> dict:
    return {"arch_hash": h, "accuracy": acc, "latency_ms": lat, "reward": reward, "evaluation": evaluation}


def test_best_of_front_takes_the_front_by_reward_then_the_next_layer(sc):
    rows = [row("a", 0.70, 1.0, 0.60), row("b", 0.80, 2.0, 0.75), row("c", 0.65, 1.5, 0.62),  # c: dominated by a
            row("d", 0.60, 0.5, 0.50), row("b", 0.78, 2.0, 0.70, 2), row("e", 0.50, 3.0, 0.40)]  # e: dominated
    assert [r["arch_hash"] for r in sc.best_of_front(rows, 3)] == ["b", "a", "d"]  # the front, by reward
    picked = sc.best_of_front(rows, 5)
    assert [r["arch_hash"] for r in picked] == ["b", "a", "d", "c", "e"]  # then the front of the rest
    assert picked[0]["reward"] == 0.75  # an architecture's best row
    assert len(sc.best_of_front(rows, 9)) == 5


def test_gaps_at_equal_latency(sc):
    full = [row("a", 0.70, 1.0, 0), row("b", 0.80, 2.0, 0)]
    dw = [row("x", 0.72, 1.5, 0), row("y", 0.60, 0.5, 0), row("z", 0.78, 2.5, 0)]
    gaps = sc.gaps_at_equal_latency(full, dw)
    assert gaps[0] != gaps[0]  # y at 0.5 ms: nothing of the full front is that fast (NaN)
    assert gaps[1:] == pytest.approx([0.70 - 0.72, 0.80 - 0.78])


def test_the_full_size_pair_is_configured_as_before(sc, tmp_path):
    args = sc.parse_args(["--cache-dir", str(tmp_path)])
    assert (args.pair, args.evaluator, args.agents, sc.presets(args)) == ("edgetpu-v2", "zero_cost",
                                                                        "random,reinforce", [None])
    config = sc.env_config("ibn-dw-only", 1, args)
    before = load_env_config("EdgeTPU-ZeroCost", space="ibn-dw-only", evaluator=sc.EVALUATORS["zero_cost"],
                             eval_seed=1, reward={"kind": "abs", "target_latency_ms": 1.5, "beta": -0.10},
                             cache=str(tmp_path / "space_zero_cost.sqlite"))
    assert config.to_dict() == before.to_dict()
    part = {"table": {("edgetpu-v2", "random"): (0.5, 0.01, 0.6, 0.02)}, "union": {"edgetpu-v2": [], "ibn-dw-only": []}}
    text = sc.markdown(args, {None: part})
    assert text.startswith("Equal budgets and seeds: 100 evaluations x 2 seeds per agent and space; quality = "
                           "`zero_cost` evaluator on Fashion-MNIST; latency simulated on `tensor-g1` at 224x224x3")
    assert "| edgetpu-v2 | random | 0.5000 ± 0.0100 | 0.6000 ± 0.0200 |" in text
    assert "| ibn-dw-only | 0.0000 |" in text


@pytest.mark.parametrize(("argv", "message"), [
    (["--evaluator", "surrogate"], "error: --evaluator='surrogate' is invalid for --pair edgetpu-v2: expected one of "
                                   "zero_cost, train"),
    (["--pair", "proxy", "--agents", "reinforce,hill"], "error: --agents='reinforce,hill' has unknown agent(s) "
                                                         "['hill']"),
    (["--pair", "proxy", "--evaluator-spec", "{"], "error: --evaluator-spec='{' is invalid: expected a JSON object"),
    (["--confirm", "-1"], "error: --confirm=-1 is invalid: expected an int >= 0"),
])
def test_bad_arguments_are_one_line(sc, argv, message):
    with pytest.raises(SystemExit) as err:
        sc.parse_args(argv)
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_proxy_pair_on_a_synthetic_surrogate_and_its_confirmation_list(sc, synthetic_data, tmp_path, capsys):
    spec = {"kind": "surrogate", "target": TINY_SPEC, "data": str(synthetic_data), "members": 2}
    sc.main(["--pair", "proxy", "--evaluations", "12", "--seeds", "1", "--evaluator-spec", json.dumps(spec),
             "--cache-dir", str(tmp_path), "--confirm", "5"])
    out = capsys.readouterr().out
    for preset, target in (("tensor-g1", 0.3), ("coral-usb", 1.45)):
        for space in ("proxy", "proxy-dw-only"):
            for agent in ("reinforce", "evolution"):
                assert f"| {preset} ({target} ms) | {space} | {agent} |" in out
        assert f"| {preset} | 0." in out
    assert (tmp_path / "space_comparison_surrogate.png").stat().st_size > 10_000
    folder = tmp_path / "space_confirm" / "proxy"
    with open(folder / "confirm.csv", newline="") as f:
        listed = list(csv.DictReader(f))
    assert len(listed) == 2 * 2 * 5
    dw, cost = nasgym.load_space("proxy-dw-only"), {p: make_cost_model({"kind": "edgetpu", "hardware": p})
                                                    for p in ("tensor-g1", "coral-usb")}
    for preset in ("tensor-g1", "coral-usb"):
        for space in ("proxy", "proxy-dw-only"):
            group = [r for r in listed if (r["preset"], r["space"]) == (preset, space)]
            assert [int(r["rank"]) for r in group] == [1, 2, 3, 4, 5] and len({r["arch_hash"] for r in group}) == 5
            for r in group:
                arch = nasgym.Architecture.parse(r["arch_string"])
                assert float(r["latency_ms"]) == pytest.approx(cost[preset].evaluate(arch)["latency_ms"])
    assert all(dw.contains(nasgym.Architecture.parse(r["arch_string"])) for r in listed if r["space"] != "proxy")
    with benchmark_module("surrogate_data") as data:
        every = data.run_archs(folder)
        assert {a.hash for a in every} == {r["arch_hash"] for r in listed}  # the command's input
        assert data.run_archs(folder, 3) == every[-3:] and data.run_archs(folder, 999) == every  # --per-run
        listed_path = data.visited_path(tmp_path / "fp.csv.gz")
        assert listed_path.name == "fp.visited.csv" and data.read_visited(listed_path) == []
        assert data.add_visited(listed_path, [(folder, every[-3:])]) == every[-3:]
        assert data.add_visited(listed_path, [(folder, every[-4:])]) == [*every[-3:], every[-4]]  # appended once
        assert data.read_visited(listed_path) == [*every[-3:], every[-4]]  # what a fresh clone resumes from
        items = data.work_list(2, data.read_visited(listed_path), None)
        assert [source for _, source in items.values()] == ["run"] * 4 + ["random"] * 2
        listed_path.write_text("arch_string\nnot-an-arch\n")
        with pytest.raises(ValueError, match=r"visited list '.*fp.visited.csv' line 2: .*expected a column"):
            data.read_visited(listed_path)
    assert ("train them with the reference training (3 seeds" in out
            and f"surrogate_data.py --spec '{{\"kind\": \"reference\", \"repeats\": 1}}' --seeds 3 --archs 0 "
                f"--study none --no-curve --from-run {folder} --out benchmarks/data/space_confirm_proxy.csv.gz" in out)


def test_confirmed_report_uses_the_reference_accuracies(sc):
    space = nasgym.load_space("proxy")
    archs = [space.sample(np.random.default_rng(i)) for i in range(5)]
    listed = [  # full space: a (fast), b (slow); dw-only: c, d; e listed but not trained
        {"preset": "tensor-g1", "space": "proxy", "rank": "1", "arch_hash": archs[0].hash, "latency_ms": "0.25",
         "accuracy": "0.80"},
        {"preset": "tensor-g1", "space": "proxy", "rank": "2", "arch_hash": archs[1].hash, "latency_ms": "0.35",
         "accuracy": "0.84"},
        {"preset": "tensor-g1", "space": "proxy-dw-only", "rank": "1", "arch_hash": archs[2].hash,
         "latency_ms": "0.30", "accuracy": "0.82"},
        {"preset": "tensor-g1", "space": "proxy-dw-only", "rank": "2", "arch_hash": archs[3].hash,
         "latency_ms": "0.36", "accuracy": "0.83"},
        {"preset": "tensor-g1", "space": "proxy-dw-only", "rank": "3", "arch_hash": archs[4].hash,
         "latency_ms": "0.40", "accuracy": "0.81"},
    ]
    accuracy = np.array([[0.90, 0.92, 0.91], [0.86, 0.86, 0.86], [0.85, 0.87, 0.86], [0.88, 0.88, 0.88]])
    trained = Table(tuple(archs[:4]), (0, 1, 2), accuracy, ("run",) * 4, ({},) * 4)
    text = sc.confirmed_markdown(listed, trained)
    assert "| tensor-g1 | proxy | 1 | 0.250 | 0.8000 | 0.9100 ± 0.0100 |" in text
    assert "| tensor-g1 | proxy-dw-only | 2 | 0.360 | 0.8300 | 0.8800 ± 0.0000 |" in text
    assert "| tensor-g1 | proxy | 2 | 0.300 | 0.8200 | 0.8850 ± 0.0250 | nan |" in text  # tau needs 3
    # reference: the full list's front is a alone (0.91 @ 0.25); dw front c (0.86 @ 0.30), d (0.88 @ 0.36)
    # surrogate: full front a, b (0.84 @ 0.35); dw front c (0.82), d (0.83): gaps 0.80-0.82, 0.84-0.83
    assert "| tensor-g1 | +0.0400, +0.0300, +0.0500 over 2 points | -0.0050, -0.0200, +0.0100 over 2 points |" in text
    assert "over the 4 distinct trained architectures: Kendall tau" in text
    assert "1 listed architectures are not trained yet." in text


def test_confirmed_without_data_is_one_line(sc, tmp_path):
    with pytest.raises(SystemExit) as err:
        sc.read_confirmed("proxy", tmp_path)
    assert str(err.value) == (f"error: {tmp_path / 'space_confirm_proxy.confirm.csv'} does not exist: expected the "
                              "output of --confirm K --write")
