"""Using a trained search policy (``train.py sample RUN_DIR``, like rl-zoo3's ``enjoy``).

For an SB3 run, the final policy (``model.zip``) is loaded and rolled out in the run's own environment (same
definition, action mode and evaluation seed, so architectures the search already evaluated are cache hits): one
deterministic episode, then ``n`` stochastic ones, with action masks applied for MaskablePPO. For a black-box run
(no policy) the best distinct architectures of ``evaluations.csv`` are listed. Each row carries the metrics the env
reports.

Python::

    from nasgym.deploy.rollout import rollout, table
    rows = rollout("runs/mppo", n=8)          # dicts: mode, reward, accuracy, latency_ms, cache_hit, arch_string, ...
    print(table(rows))
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from nasgym.deploy.source import read_json
from nasgym.evaluation_log import read_log

COLUMNS = ("mode", "reward", "accuracy", "latency_ms", "cache_hit", "arch_hash")


def _env_config(run: dict, folder: Path) -> Any:
    from nasgym.envs_config import ENV_FIELDS, EnvConfig

    env = run.get("env")
    if not isinstance(env, dict) or not all(k in env for k in ("id", "space", "cost", "evaluator", "reward")):
        raise ValueError(f"run record {str(folder / 'run.json')!r} has no env definition: expected a run.json "
                         "written by train.py")
    return EnvConfig(**{k: env[k] for k in ENV_FIELDS if k in env})


def rollout(run_dir: str | Path, n: int = 8, seed: int = 0, top: int | None = None) -> list[dict]:
    """Architectures of a run's policy (or, for a black-box run, its best ones) with their env metrics.

    Args:
        run_dir: A ``train.py`` log folder.
        n: Stochastic episodes after the deterministic one (SB3 runs).
        seed: Seed of the stochastic episodes.
        top: Black-box runs: how many best distinct architectures to list (default ``n``).

    Raises:
        ValueError: If the folder is not a run, or an SB3 run has no ``model.zip`` yet.
    """
    from nasgym.envs_config import make_env
    from nasgym.search.algos import resolve_algo

    folder = Path(run_dir)
    if not (folder / "run.json").is_file():
        raise ValueError(f"{str(folder)!r} is not a run folder (no run.json): expected a train.py --logdir")
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"-n {n!r} is invalid: expected an int >= 0")
    run = read_json(folder / "run.json", "run record")
    algo_arg = (run.get("args") or {}).get("algo") or (run.get("identity") or {}).get("algo")
    algo = resolve_algo(str(algo_arg))
    if algo.kind != "sb3":
        return best_of_log(folder, top if top is not None else max(n, 1))
    model_path = folder / "model.zip"
    if not model_path.is_file():
        raise ValueError(f"run folder {str(folder)!r} has no model.zip: expected a finished {algo.name} run (rerun "
                         "its train.py command to finish it)")
    config = _env_config(run, folder)
    env = make_env(config)
    model = algo.cls.load(str(model_path), device="cpu")
    rows = []
    try:
        for i in range(n + 1):
            deterministic = i == 0
            info = _episode(model, env, deterministic, seed + i)
            rows.append({"mode": "deterministic" if deterministic else f"stochastic #{i}", **info})
    finally:
        env.close()
    return rows


def _episode(model: Any, env: Any, deterministic: bool, seed: int) -> dict:
    """One episode of ``model`` in ``env``; the last step's info."""
    import torch
    from sb3_contrib import MaskablePPO, RecurrentPPO

    masked, recurrent = isinstance(model, MaskablePPO), isinstance(model, RecurrentPPO)
    obs, _ = env.reset(seed=seed)
    state, start = None, np.ones((1,), dtype=bool)
    torch.manual_seed(seed)  # stochastic actions of SB3 policies draw from torch's global RNG
    while True:
        kwargs: dict = {"deterministic": deterministic}
        if masked:
            kwargs["action_masks"] = env.get_wrapper_attr("action_masks")()
        if recurrent:
            kwargs.update(state=state, episode_start=start)
        action, state = model.predict(obs, **kwargs)
        start = np.zeros((1,), dtype=bool)
        obs, _, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            return info


def best_of_log(folder: Path, top: int) -> list[dict]:
    """The ``top`` best distinct architectures (by reward) of a run's ``evaluations.csv``."""
    rows = read_log(folder / "evaluations.csv").rows
    if not rows:
        raise ValueError(f"run folder {str(folder)!r} has no evaluations: expected a run with at least one")
    out, seen = [], set()
    for row in sorted(rows, key=lambda r: -r["reward"]):
        if row["arch_hash"] not in seen:
            seen.add(row["arch_hash"])
            out.append({**row, "mode": f"best #{len(out) + 1} (eval {row['evaluation']})"})
        if len(out) >= top:
            break
    return out


def table(rows: list[dict]) -> str:
    """The rows as a text table, architectures in one-line form below each."""
    lines = [f"{'':<24} {'reward':>8} {'accuracy':>9} {'latency ms':>11} {'cached':>7}  arch"]
    for row in rows:
        acc = row.get("accuracy", math.nan)
        lines.append(f"{row['mode']:<24} {float(row['reward']):8.4f} {float(acc):9.4f} "
                     f"{float(row['latency_ms']):11.3f} {'yes' if row.get('cache_hit') else 'no':>7}  "
                     f"{row['arch_hash']}")
        lines.append(f"    {row['arch_string']}")
    return "\n".join(lines)
