"""Every test of this folder may use the evaluator kind ``fake`` (registered only while the test runs)."""

import parallel_helpers
import pytest


@pytest.fixture(autouse=True)
def _fake_evaluator_kind():
    with parallel_helpers.fake_kind():
        yield
