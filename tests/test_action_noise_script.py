"""benchmarks/action_noise.py: the TD3 / DDPG noise grid on the surrogate Box env, with a tiny budget."""

from __future__ import annotations

import csv

import yaml
from benchmark_scripts import benchmark_module


def test_noise_grid_table_and_choice(tmp_path, monkeypatch, capsys):
    with benchmark_module("action_noise") as an:
        monkeypatch.setattr(an, "STDS", (0.0, 0.3))
        argv = ["--evaluations", "8", "--seeds", "1", "--first-seed", "7", "--jobs", "1", "--logdir", str(tmp_path)]
        assert an.main(argv) == 0
    out = capsys.readouterr().out
    assert yaml.safe_load((tmp_path / "std0.3" / "hyperparams" / "td3.yaml").read_text()) == {
        "noise_type": "normal", "noise_std": 0.3}
    assert yaml.safe_load((tmp_path / "std0" / "hyperparams" / "ddpg.yaml").read_text()) == {"noise_type": "none"}
    best = {}
    for std, label in (("0", "none"), ("0.3", "0.3")):
        for algo in ("td3", "ddpg"):
            with open(tmp_path / f"std{std}" / algo / "seed7" / "evaluations.csv", newline="") as f:
                rows = list(csv.DictReader(f))
            assert len(rows) == 8
            reward = max(float(r["reward"]) for r in rows)
            best.setdefault(label, []).append(reward)
            distinct = len({r["arch_string"] for r in rows})
            assert f"| {algo} | {label} | {reward:.4f} ± 0.0000 | {distinct} | " in out
    chosen = max(best, key=lambda k: sum(best[k]))
    assert f"chosen: noise_std {0 if chosen == 'none' else 0.3:g} " in out
