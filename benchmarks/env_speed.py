"""Environment speed: median non-terminal step and per-episode overhead (the evaluator excluded).

The quality evaluator is replaced by a null one (a constant dict, no work) so what is timed is the environment:
mask lookup, canonicalization, observation update, and at the end of an episode building the architecture, the
cost model, the cache look-up/insert, the reward and the info dict. Each episode builds a fresh random architecture
(so neither the cost memo nor the cache hits). Goals: median non-terminal step <= 20 us; per-episode overhead
(reset + the terminal step, evaluator excluded) <= 1 ms.

    .venv/bin/python benchmarks/env_speed.py [--episodes 300] [--write]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _bootstrap  # noqa: F401  (repository root on sys.path, one BLAS thread; before numpy)
import numpy as np
from results_md import write_section

import nasgym
from nasgym.env import NasEnv
from nasgym.hw import make_cost_model
from nasgym.rewards import make_reward
from nasgym.wrappers import BoxActions, MultiDiscreteActions

SECTION = "## Environment speed"


class NullEvaluator:
    """Quality evaluator that does no work."""

    fingerprint = "null-v1"

    def evaluate(self, arch, seed):
        return {"accuracy": 0.5, "eval_seconds": 0.0}


class Timed:
    """Wraps a cost model or cached evaluator and adds up the time spent in ``evaluate``."""

    def __init__(self, inner) -> None:
        self.inner, self.fingerprint, self.spent = inner, inner.fingerprint, 0.0

    def evaluate(self, *args):
        t0 = time.perf_counter()
        out = self.inner.evaluate(*args)
        self.spent += time.perf_counter() - t0
        return out


def make(space: str, cost: dict, cache: Path | None) -> NasEnv:
    return NasEnv(nasgym.load_space(space), Timed(make_cost_model(cost)), NullEvaluator(),
                  make_reward({"kind": "abs", "target_latency_ms": 1.0}), cache=cache)


def time_discrete(env: NasEnv, episodes: int, seed: int = 0) -> dict:
    """Per-step and per-episode timings (seconds) of the canonical mode with random valid actions.

    Only the first reset is seeded (as SB3 does). The episode overhead is split into the cost model, the cache
    (SQLite look-up and insert around the null evaluator) and the rest (the environment's own work).
    """
    rng = np.random.default_rng(seed)
    steps, episode_total, cost_parts, cache_parts = [], [], [], []
    clock = time.perf_counter
    env.reset(seed=seed)
    env.evaluate(env.space.sample(rng))  # opens the cache
    timed_quality = Timed(env._cache) if env._cache is not None else None
    if timed_quality is not None:
        env._cache = timed_quality
    for _ in range(episodes):
        indices = env.space.sample_indices(rng)  # drawn beforehand: the agent's time is not the env's
        cost_before = env.cost_model.spent
        cache_before = timed_quality.spent if timed_quality else 0.0
        t0 = clock()
        env.reset()
        reset = clock() - t0
        for index in indices[:-1]:
            t0 = clock()
            env.step(index)
            steps.append(clock() - t0)
        t0 = clock()
        env.step(indices[-1])
        episode_total.append(reset + clock() - t0)
        cost_parts.append(env.cost_model.spent - cost_before)
        cache_parts.append((timed_quality.spent if timed_quality else 0.0) - cache_before)
    own = [t - c - q for t, c, q in zip(episode_total, cost_parts, cache_parts, strict=True)]
    return {"step": statistics.median(steps), "episode": statistics.median(episode_total),
            "cost": statistics.median(cost_parts), "cache": statistics.median(cache_parts),
            "own": statistics.median(own), "n_steps": len(steps)}


def time_wrapped(wrapped, actions_fn, episodes: int) -> float:
    """Median non-terminal step (seconds) of a wrapped mode."""
    rng = np.random.default_rng(1)
    steps = []
    for episode in range(episodes):
        wrapped.reset(seed=episode)
        done = False
        while not done:
            action = actions_fn(rng)
            t0 = time.perf_counter()
            _, _, done, _, _ = wrapped.step(action)
            elapsed = time.perf_counter() - t0
            if not done:
                steps.append(elapsed)
    return statistics.median(steps)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--episodes", type=int, default=300)
    p.add_argument("--write", action="store_true", help=f"replace the '{SECTION}' section of RESULTS.md")
    args = p.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for space in ("proxy", "edgetpu-v2"):
            for cost in ({"kind": "edgetpu", "hardware": "tensor-g1"}, {"kind": "macs"}):
                cache = Path(tmp) / f"{space}-{cost['kind']}.sqlite"
                env = make(space, cost, cache)
                time_discrete(env, 20)  # warm-up: mask and MAC caches
                r = time_discrete(env, args.episodes)
                env.close()
                rows.append((space, cost["kind"], len(env.space.decisions), r))
        env = make("edgetpu-v2", {"kind": "edgetpu", "hardware": "tensor-g1"}, None)
        multi = MultiDiscreteActions(env)
        md = time_wrapped(multi, lambda rng: rng.integers(0, multi.max_choices, multi.width), args.episodes // 3)
        box = BoxActions(make("edgetpu-v2", {"kind": "edgetpu", "hardware": "tensor-g1"}, None))
        bx = time_wrapped(box, lambda rng: rng.uniform(-1, 1, 1).astype(np.float32), args.episodes // 3)
    lines = [
        SECTION, "",
        f"`benchmarks/env_speed.py --episodes {args.episodes}` on {platform.machine()}, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}; shared 2-core machine (other jobs running).",
        "Null evaluator; each episode a fresh random architecture (no memo or cache hits); SQLite cache on.",
        "Episode overhead = reset + terminal step, evaluator excluded: the environment's own work (building the",
        "architecture, JSON, reward, info), the cost model, and the cache (SQLite look-up + insert of a miss).", "",
        "| space | cost model | decisions | median step (us) | episode overhead (us) | env's own (us) "
        "| cost model (us) | cache I/O (us) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for space, kind, decisions, r in rows:
        lines.append(f"| {space} | {kind} | {decisions} | {r['step'] * 1e6:.1f} | {r['episode'] * 1e6:.0f} | "
                     f"{r['own'] * 1e6:.0f} | {r['cost'] * 1e6:.0f} | {r['cache'] * 1e6:.0f} |")
    lines += ["", f"Other modes (edgetpu-v2, tensor-g1): MultiDiscrete median step (one block, several decisions) "
              f"{md * 1e6:.1f} us; Box median step {bx * 1e6:.1f} us.", ""]
    step_ok = all(r["step"] <= 20e-6 for *_, r in rows)
    episode_ok = [f"{space}/{kind}" for space, kind, _, r in rows if r["episode"] <= 1e-3]
    own_ok = [f"{space}/{kind}" for space, kind, _, r in rows if r["own"] <= 1e-3]
    lines.append(f"Goals: median non-terminal step <= 20 us: {'met' if step_ok else 'MISSED'}. Per-episode overhead "
                 f"<= 1 ms: the environment's own part met for {', '.join(own_ok) or 'none'}; with cost model "
                 f"and cache included met for {', '.join(episode_ok) or 'none'}.")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        write_section(SECTION.removeprefix("## "), text.split("\n", 1)[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
