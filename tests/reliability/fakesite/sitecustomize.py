"""Registers the fake evaluator (``evaluator: {kind: fake}``) in every process that has this folder on PYTHONPATH,
so SubprocVecEnv workers of the reliability runs (started by forkserver) know it too.

Lazily: nothing is imported at start-up; the registration happens when ``nasgym.quality.factory`` is first
imported, so unrelated subprocesses (e.g. the torch-free import test) are unaffected.
"""

import importlib.abc
import importlib.util
import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[2])  # tests/, for nasgym_fakes


class _RegisterFake(importlib.abc.MetaPathFinder):
    """Finds ``nasgym.quality.factory`` through the normal finders and adds ``fake`` to its EVALUATORS."""

    def find_spec(self, name, path=None, target=None):
        if name != "nasgym.quality.factory":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run_module = spec.loader.exec_module

        def exec_module(module):
            run_module(module)
            if _TESTS not in sys.path:
                sys.path.append(_TESTS)
            from nasgym_fakes import FakeEvaluator

            module.EVALUATORS["fake"] = lambda **_: FakeEvaluator()

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _RegisterFake())
