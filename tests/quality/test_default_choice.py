"""The named ``default`` evaluator is the configuration the committed proxy study chose (issue 12)."""

from benchmark_scripts import benchmark_module

from nasgym.quality import EvaluationCache, make_evaluator


def test_default_is_what_the_committed_study_rows_choose(tmp_path):
    with benchmark_module("proxy_study") as study:
        cache = EvaluationCache(tmp_path / "study.sqlite")
        assert study.load_rows(cache, study.ROWS_CSV) > 0
        chosen = study.chosen_default(cache)
    assert chosen is not None, "the committed rows do not allow a choice yet"
    assert make_evaluator("default").fingerprint == make_evaluator(chosen).fingerprint  # same config and weights
