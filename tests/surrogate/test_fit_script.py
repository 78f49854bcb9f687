"""benchmarks/surrogate_fit.py: the surrogate against the quality study's reference training."""

from __future__ import annotations

import pytest
from benchmark_scripts import benchmark_module

from nasgym.surrogate.dataset import load_table


@pytest.fixture(scope="module")
def fit():
    with benchmark_module("surrogate_fit") as module:
        yield module


def test_the_committed_study_has_60_reference_architectures(fit):
    reference = fit.reference_accuracy()
    assert len(reference) == 60  # samples C and D, 12 trainings each
    assert all(0.5 < acc < 1.0 for acc in reference.values())


def test_against_reference_holds_the_reference_architectures_out(fit, synthetic_data, tiny_fingerprint):
    table = fit.complete(load_table(synthetic_data, tiny_fingerprint))
    reference = {arch.hash: float(mean) for arch, mean in zip(table.archs[:40], table.mean[:40], strict=True)}
    figures = fit.against_reference(table, "gb", reference)
    assert (figures["n"], figures["n_train"]) == (40, len(table.archs) - 40)
    assert figures["mean"] == pytest.approx(1.0)  # the reference here is the measured mean itself
    assert 0.3 < figures["surrogate"] < 1.0  # learnable from the other architectures, not memorized
    assert fit.against_reference(table, "gb", dict(list(reference.items())[:9])) is None
    text = fit.render_reference(figures, {"model": "gb", "residual": False})
    others = len(table.archs) - 40
    assert text.startswith("Against the reference training (12 trainings each; the quality study's 40 "
                           f"architectures with such rows, held out of a fit of gb on the other {others})")
    assert fit.render_reference(None, {"model": "gb", "residual": False}).endswith("fewer than 10 of the quality "
                                                                                 "study's architectures in the data.")
