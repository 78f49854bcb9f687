"""ConfiguredEvaluator: the shared constructor, repr and describe of the evaluators built from a config."""

import pytest

from nasgym.quality.base import ConfiguredEvaluator
from nasgym.quality.factory import make_evaluator
from nasgym.quality.supernet_evaluator import SupernetConfig, SupernetEvaluator
from nasgym.quality.zero_cost import ZeroCostConfig, ZeroCostEvaluator


@pytest.mark.parametrize("kind", ["zero_cost", "train", "supernet", "task"])
def test_every_kind_is_configured(kind: str) -> None:
    evaluator = make_evaluator({"kind": kind})
    assert isinstance(evaluator, ConfiguredEvaluator)
    assert repr(evaluator) == f"{type(evaluator).__name__}({evaluator.fingerprint})"
    described = evaluator.describe()
    assert described["kind"] == kind and described["fingerprint"] == evaluator.fingerprint


@pytest.mark.parametrize(("cls", "config_class"), [(ZeroCostEvaluator, ZeroCostConfig),
                                                   (SupernetEvaluator, SupernetConfig)])
def test_ready_config_equals_fields(cls: type, config_class: type) -> None:
    assert cls(config_class()).fingerprint == cls().fingerprint
    assert cls(device="cpu", data_dir="/elsewhere").fingerprint == cls().fingerprint  # excluded fields
