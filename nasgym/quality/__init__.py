"""Quality evaluators: datasets, the proxy network, short training, weight-sharing supernet, zero-cost proxies, cache.

Use ``make_evaluator({"kind": "train" | "supernet" | "zero_cost", ...})`` (``train`` on any task of
:mod:`nasgym.tasks`: ``{"kind": "train", "task": "segmentation"}``; ``kind: task`` is its alias) or a named spec
(``"default"``, ``"reference"``), wrap it in
``CachedEvaluator(evaluator, EvaluationCache(path))`` to persist results.
"""

from nasgym.quality.base import Evaluator, failed_metrics
from nasgym.quality.cache import CachedEvaluator, EvaluationCache
from nasgym.quality.data import Dataset, load_dataset
from nasgym.quality.factory import evaluator_kinds, make_evaluator
from nasgym.quality.named_specs import NAMED_SPECS
from nasgym.quality.proxy import build_proxy_model, proxy_architecture
from nasgym.quality.supernet_evaluator import SupernetConfig, SupernetEvaluator
from nasgym.quality.train_evaluator import TaskEvaluator, TrainConfig, TrainEvaluator
from nasgym.quality.zero_cost import ZeroCostConfig, ZeroCostEvaluator

__all__ = [
    "NAMED_SPECS", "CachedEvaluator", "Dataset", "EvaluationCache", "Evaluator", "SupernetConfig", "SupernetEvaluator",
    "TaskEvaluator", "TrainConfig", "TrainEvaluator", "ZeroCostConfig", "ZeroCostEvaluator", "build_proxy_model",
    "evaluator_kinds", "failed_metrics", "load_dataset", "make_evaluator", "proxy_architecture",
]
