"""The run folder is rebuilt from evaluations.csv on every start: empty, header-less, torn or garbled logs, stale
best.json / pareto.csv and leftover temp files; black-box runs killed at any moment resume exactly."""

from __future__ import annotations

import json
import math

import pytest
from reliability_helpers import argv, hashes, rows_of, run, run_killed_after

from nasgym.evaluation_log import CSV_FIELDS, read_log
from nasgym.search.recorder import SearchLogger

HEADER = ",".join(CSV_FIELDS)


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """An uninterrupted evolution run of 12 evaluations: its folder and the text of its log."""
    root = tmp_path_factory.mktemp("finished")
    result = run(argv(root / "run", "evolution", evaluations=12), root / "cache")
    assert result.returncode == 0, result.stderr
    return root, (root / "run" / "evaluations.csv").read_text()


def rerun(finished, tmp_path, text: str):
    """Copy the finished run's folder with ``text`` as its log and rerun the same command (same cache)."""
    root, _ = finished
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "run.json").write_text((root / "run" / "run.json").read_text())
    (tmp_path / "run" / "evaluations.csv").write_text(text)
    return run(argv(tmp_path / "run", "evolution", evaluations=12), root / "cache")


@pytest.mark.parametrize("case", ["empty", "header only, cut", "no header", "garbled row 5", "torn last row"])
def test_damaged_log_is_repaired_and_the_run_completed(case, finished, tmp_path):
    _, text = finished
    lines = text.splitlines(keepends=True)
    damaged = {
        "empty": "",
        "header only, cut": HEADER[:30],
        "no header": "".join(lines[1:]),
        "garbled row 5": "".join(lines[:5] + [lines[5].replace(",", ";", 3)] + lines[6:]),
        "torn last row": "".join(lines[:-1]) + lines[-1][:40],
    }[case]
    result = rerun(finished, tmp_path, damaged)
    assert result.returncode == 0, result.stderr
    assert hashes(tmp_path / "run") == hashes(finished[0] / "run")  # all 12, in the uninterrupted order
    assert [int(r["evaluation"]) for r in rows_of(tmp_path / "run")] == list(range(1, 13))
    repaired = (tmp_path / "run" / "evaluations.csv").read_text()
    assert repaired.startswith(HEADER + "\n") and repaired.count("\n") == 13
    if case == "garbled row 5":
        warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
        assert len(warnings) == 2  # the repair, then where the resumed run re-derives the rest
        assert "evaluations.csv: dropped 1 corrupt row(s) (" in warnings[0]
        assert "evaluations.csv:6: expected 15 fields); 11 evaluations kept" in warnings[0]


def test_read_log_reports_each_bad_line(tmp_path):
    path = tmp_path / "evaluations.csv"
    good = {k: "1" for k in CSV_FIELDS} | {"cache_hit": "False", "arch_hash": "abc", "arch": "{}", "failed": ""}
    line = ",".join(good[k] for k in CSV_FIELDS)
    path.write_text(f"{HEADER}\n{line}\n{line.replace('False', 'maybe')}\n{line}\nnot,a,row\n{line}\n")
    contents = read_log(path)
    assert [r["evaluation"] for r in contents.rows] == [1, 2, 3]
    assert contents.problems == [f"{path}:3: cache_hit='maybe' is not True/False", f"{path}:5: expected 15 fields"]


def test_summary_files_rebuilt_and_temp_files_removed(finished, tmp_path):
    root, text = finished
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "run.json").write_text((root / "run" / "run.json").read_text())
    (folder / "evaluations.csv").write_text(text)
    (folder / "best.json").write_text('{"reward": 9')  # cut short
    (folder / ".pareto.csv.4242.tmp").write_text("half")
    (folder / ".model.123.tmp.zip").write_text("half")
    result = run(argv(folder, "evolution", evaluations=12), root / "cache")
    assert result.returncode == 0, result.stderr
    best = json.loads((folder / "best.json").read_text())
    assert best["reward"] == max(float(r["reward"]) for r in rows_of(folder))
    assert (folder / "pareto.csv").read_text() == (root / "run" / "pareto.csv").read_text()
    assert not list(folder.glob("*.tmp")) and not list(folder.glob(".*.tmp*"))


def test_logger_rebuilds_front_from_reloaded_rows(finished, tmp_path):
    root, text = finished
    (tmp_path / "evaluations.csv").write_text(text)
    logger = SearchLogger(tmp_path, 1.0, tensorboard=False)
    assert logger.n_evaluations == 12 and math.isclose(logger.best["reward"],
                                                       max(float(r["reward"]) for r in rows_of(root / "run")))
    assert (tmp_path / "pareto.csv").exists() and (tmp_path / "best.json").exists()
    logger.close()


@pytest.mark.parametrize(("algo", "kill", "budget"), [("evolution", "random", 400), ("reinforce", "sqlite:7", 16)])
def test_killed_blackbox_run_resumes_exactly(algo, kill, budget, finished, tmp_path):
    args = argv(tmp_path / "run", algo, evaluations=budget)
    reference = run(argv(tmp_path / "reference", algo, evaluations=budget), tmp_path / "reference-cache")
    assert reference.returncode == 0, reference.stderr
    if kill == "random":  # from outside, a few milliseconds after row 150 (evaluations take ~1 ms here)
        assert run_killed_after(args, tmp_path / "cache", rows=150, extra_delay=0.003) == -9
    else:
        assert run(args, tmp_path / "cache", fault=kill).returncode == -9
    assert 0 < len(rows_of(tmp_path / "run")) < budget
    resumed = run(args, tmp_path / "cache")
    assert resumed.returncode == 0, resumed.stderr
    assert hashes(tmp_path / "run") == hashes(tmp_path / "reference")
