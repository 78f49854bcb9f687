"""benchmarks/surrogate_data.py on a tiny spec: rows, resuming after a stop, no duplicates, one-line errors."""

import json
from pathlib import Path

import pytest
from benchmark_scripts import benchmark_module
from surrogate_helpers import TINY_SPEC

from nasgym.surrogate.dataset import load_table, read_rows


@pytest.fixture(scope="module")
def data_cmd():
    with benchmark_module("surrogate_data") as module:
        yield module.main


def run(main, tmp: Path, name: str, *extra: str) -> int:
    return main(["--spec", json.dumps(TINY_SPEC), "--study", "none", "--archs", "3", "--seeds", "2",
                 "--db", str(tmp / f"{name}.sqlite"), "--out", str(tmp / f"{name}.csv.gz"), *extra])


def key_rows(path: Path) -> list[tuple]:
    return [(r["arch_hash"], r["seed"], r["accuracy"], r["source"], r["latency_ms.tensor-g1"])
            for r in read_rows(path)]


def test_rows_resume_and_no_duplicates(data_cmd, tmp_path):
    assert run(data_cmd, tmp_path, "whole", "--workers", "2") == 0
    whole = key_rows(tmp_path / "whole.csv.gz")
    assert len(whole) == 6 and len({(h, s) for h, s, *_ in whole}) == 6
    table = load_table(tmp_path / "whole.csv.gz")
    assert table.accuracy.shape == (3, 2) and set(table.sources) == {"random"}
    row = read_rows(tmp_path / "whole.csv.gz")[0]
    assert float(row["cpu_seconds"]) > 0 and int(row["params"]) > 0 and int(row["macs"]) > 0
    assert all(float(row[f"latency_ms.{p}"]) > 0 for p in ("coral-pcie", "coral-usb", "tensor-g1"))
    metrics = json.loads(row["metrics"])  # learning-curve points at 1/4 and 1/2 of the steps, same fingerprint
    assert len(metrics["curve"]) == 2 and metrics["curve_steps"] == [round(TINY_SPEC["steps"] * f) for f in (.25, .5)]
    assert row["fingerprint"] == __import__("nasgym").quality.make_evaluator(TINY_SPEC).fingerprint
    with benchmark_module("surrogate_data") as data:
        text = data.report(tmp_path / "whole.csv.gz", TINY_SPEC["steps"])
    assert text.startswith("whole.csv.gz: 3 architectures ({'random': 3}), seeds [0, 1], 3 with >= 2 seeds, 6 rows")
    steps = [round(TINY_SPEC["steps"] * f) for f in (.25, .5)]
    for step in steps:  # each learning-curve point ranked against the final accuracy
        assert f"at {step / TINY_SPEC['steps']:g} of the steps (3 architectures): tau vs final " in text
    # stopped after 2 evaluations (as if killed), then the same command again, then once more
    assert run(data_cmd, tmp_path, "split", "--workers", "1", "--stop-after", "2") == 0
    assert len(read_rows(tmp_path / "split.csv.gz")) == 2
    assert run(data_cmd, tmp_path, "split", "--workers", "1") == 0
    assert run(data_cmd, tmp_path, "split", "--workers", "1") == 0
    assert key_rows(tmp_path / "split.csv.gz") == whole
    # a fresh cache resumes from the written file alone (nothing evaluated again)
    (tmp_path / "split.sqlite").unlink()
    assert run(data_cmd, tmp_path, "split", "--workers", "1", "--archs", "3") == 0
    assert key_rows(tmp_path / "split.csv.gz") == whole


@pytest.mark.parametrize(("args", "match"), [
    (["--spec", "defualt"], "evaluator spec='defualt' is invalid"),
    (["--spec", '{"kind": "train", "stepz": 1}'], r"unknown train evaluator field\(s\) 'stepz'"),
    (["--archs", "-1"], "--archs=-1 is invalid: expected an int >= 0"),
    (["--per-run", "0"], "--per-run=0 is invalid: expected an int >= 1"),
    (["--from-run", "/nonexistent/run"], "--from-run '/nonexistent/run' has no evaluations.csv"),
    (["--study", "/nonexistent.csv"], "--study '/nonexistent.csv' does not exist"),
])
def test_errors_are_one_line(data_cmd, tmp_path, capsys, args, match):
    assert data_cmd([*args, "--db", str(tmp_path / "x.sqlite"), "--out", str(tmp_path / "x.csv.gz")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert __import__("re").search(match, err)
