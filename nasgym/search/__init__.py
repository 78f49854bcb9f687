"""The search runner: one run, the benchmark harness and the algorithm registry, callable from Python.

```python
from nasgym.search import RunConfig, run

result = run(RunConfig(env="nasgym/EdgeTPU-ZeroCost-v0", algo="evolution", evaluations=50, logdir="runs/evo"))
print(result.best["arch_string"], result.hypervolume)
```

``train.py`` parses its arguments into a :class:`RunConfig` and prints :meth:`RunResult.summary`. Modules:
:mod:`~nasgym.search.runner` (:func:`run`), :mod:`~nasgym.search.algos` (the registry and the SB3 defaults, the one
place for them), :mod:`~nasgym.search.sb3` and :mod:`~nasgym.search.checkpoint` (SB3 training with exact budgets and
resume), :mod:`~nasgym.search.blackbox` and :mod:`~nasgym.search.batched` (black-box agents, one or K evaluations in
flight), :mod:`~nasgym.search.run_folder` (run identity and locking), :mod:`~nasgym.search.recorder` (the logs every
agent writes: CSV, best/Pareto files, TensorBoard, plots), :mod:`~nasgym.search.bench` (every agent x seed) and
:mod:`~nasgym.search.zoo` (the SB3 defaults for rl-zoo3). The black-box agents themselves live in
``nasgym.agents`` (the repository's ``agents/``).
"""

from nasgym.search.algos import SB3_DEFAULTS, AlgoSpec, algo_names, resolve_algo, sb3_defaults
from nasgym.search.bench import AgentRun, BenchConfig, bench
from nasgym.search.runner import RunConfig, RunResult, run

__all__ = ["SB3_DEFAULTS", "AgentRun", "AlgoSpec", "BenchConfig", "RunConfig", "RunResult", "algo_names", "bench",
           "resolve_algo", "run", "sb3_defaults"]
