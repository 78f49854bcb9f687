"""Parallel evaluation speed: evaluations per hour with 1 vs 2 workers, and the per-evaluation overhead of Ray.

1. Throughput: random search (its proposals do not depend on results, so every configuration evaluates the same
   architectures) on ``nasgym/EdgeTPU-Proxy-FashionMNIST-v0`` (the ``train`` evaluator: 60 steps of Fashion-MNIST,
   one thread per evaluation), run by :func:`nasgym.parallel.run_batched` without a cache, with 1 worker (in
   process), 2 local worker processes and 2 Ray workers. Reported: wall-clock evaluations per hour, the CPU seconds
   each evaluation used (``cpu_seconds``, the worker's process time, insensitive to other jobs) and the cores the
   configuration actually got (CPU seconds / wall seconds), with the load average, because the machine is shared.
2. Overhead: a no-op evaluator (returns a constant) through each executor, one evaluation in flight at a time:
   milliseconds per evaluation = round trip driver -> worker -> driver (serialization, scheduling, result fetch).
3. Driver: the serial work per evaluation that no number of workers removes (agent, cost model, cache, log), per
   agent, with the no-op evaluator in process: the input of the scaling model in RESULTS.md.

    .venv/bin/python benchmarks/parallel_speed.py [--evaluations 12] [--noop 200] [--write]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import _bootstrap  # noqa: F401  (repository root on sys.path, one BLAS thread; before numpy)
import numpy as np
from results_md import write_section

from nasgym.agents import RandomSearch
from nasgym.envs_config import load_env_config, make_env
from nasgym.parallel import InProcessExecutor, ProcessExecutor, run_batched
from nasgym.parallel.ray_executor import RayExecutor, connect

ENV = "EdgeTPU-Proxy-FashionMNIST"


class NoOp:
    """An evaluator that does nothing (the executor's own cost is what is timed)."""

    fingerprint = "noop-v1"

    def evaluate(self, arch, seed: int) -> dict:
        return {"accuracy": 0.5, "eval_seconds": 0.0}


def throughput(make_executor, evaluations: int) -> dict:
    """Wall seconds, worker CPU seconds per evaluation and cores used for ``evaluations`` random-search proposals."""
    config = load_env_config(ENV, cache=None, eval_seed=0)
    env = make_env(config)
    executor = make_executor(config.evaluator)
    infos: list[dict] = []
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    try:
        run_batched(env, RandomSearch(env.unwrapped.space, seed=0), evaluations, executor, on_episode=infos.append,
                    seed=0)
    finally:
        executor.close()
    wall = time.perf_counter() - start
    cpu = sum(float(i["cpu_seconds"]) for i in infos)
    return {"wall": wall, "per_hour": 3600 * evaluations / wall, "cpu_per_eval": cpu / evaluations,
            "cores": cpu / wall, "load": (load_before + os.getloadavg()[0]) / 2,
            "accuracies": {i["arch_hash"]: float(i["accuracy"]) for i in infos}}  # by arch: completion order varies


def overhead_ms(executor, n: int) -> float:
    """Milliseconds per no-op evaluation, one in flight (after a warm-up of 10)."""
    space = make_env(load_env_config(ENV, cache=None)).unwrapped.space
    arch = space.decode(space.sample_indices(np.random.default_rng(0)))
    for _ in range(10):
        executor.submit(arch, 0).result()
    start = time.perf_counter()
    for _ in range(n):
        executor.submit(arch, 0).result()
    return 1000 * (time.perf_counter() - start) / n


def driver_ms(n: int) -> dict:
    """The driver's own serial milliseconds per evaluation (no-op evaluator, one in flight): agent, decoding, cost
    model, cache look-up + write (a fresh SQLite file) and the log (CSV), per agent."""
    import tempfile

    from nasgym.agents import AGENTS
    from nasgym.search.recorder import SearchLogger

    out = {}
    for name in ("random", "evolution", "reinforce", "nsga2"):
        with tempfile.TemporaryDirectory() as tmp:
            env = make_env(load_env_config(ENV, cache=f"{tmp}/cache.sqlite", eval_seed=0))
            logger = SearchLogger(f"{tmp}/run", 1.0, tensorboard=False)
            agent = AGENTS[name](env.unwrapped.space, seed=0)
            start = time.perf_counter()
            run_batched(env, agent, n, InProcessExecutor(NoOp()), logger, seed=0)
            out[name] = 1000 * (time.perf_counter() - start) / n
            logger.close()
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--evaluations", type=int, default=12)
    p.add_argument("--noop", type=int, default=200, help="no-op evaluations for the overhead figures")
    p.add_argument("--write", action="store_true", help="write the section of benchmarks/RESULTS.md")
    args = p.parse_args()
    connect("local", num_cpus=2)
    runs = {
        "1 worker (in process)": (1, throughput(InProcessExecutor, args.evaluations)),
        "2 local processes": (2, throughput(lambda ev: ProcessExecutor(ev, 2), args.evaluations)),
        "2 Ray workers": (2, throughput(lambda ev: RayExecutor(ev, 2), args.evaluations)),
    }
    base = runs["1 worker (in process)"][1]
    same = all(r["accuracies"] == base["accuracies"] for _, r in runs.values())
    overheads = {"in process": overhead_ms(InProcessExecutor(NoOp()), args.noop)}
    pool = ProcessExecutor(NoOp(), 1)
    overheads["local process"] = overhead_ms(pool, args.noop)
    pool.close()
    ray_executor = RayExecutor(NoOp(), 1)
    overheads["Ray task"] = overhead_ms(ray_executor, args.noop)
    ray_executor.close()
    driver = driver_ms(args.noop)

    lines = [
        f"`benchmarks/parallel_speed.py --evaluations {args.evaluations} --noop {args.noop}` on {os.cpu_count()} "
        f"cores ({platform.machine()}, Python {platform.python_version()}), shared with other jobs (load average "
        "in the table). Random search on the proxy env, `train` evaluator (60 steps, one thread each), no cache; "
        f"every configuration evaluated the same {args.evaluations} architectures with "
        f"{'identical' if same else 'DIFFERENT'} accuracies.",
        "",
        "| configuration | evaluations / hour | speed-up (wall) | CPU s / evaluation | cores used | load avg | "
        "speed-up on free cores (workers x CPU s ratio) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, (workers, r) in runs.items():
        lines.append(f"| {name} | {r['per_hour']:.0f} | {r['per_hour'] / base['per_hour']:.2f}x | "
                     f"{r['cpu_per_eval']:.2f} | {r['cores']:.2f} | {r['load']:.1f} | "
                     f"{workers * base['cpu_per_eval'] / r['cpu_per_eval']:.2f}x |")
    lines += ["", "| executor (no-op evaluator, one in flight) | overhead per evaluation |", "|---|---:|"]
    lines += [f"| {name} | {ms:.2f} ms |" for name, ms in overheads.items()]
    lines += ["", "| agent | driver ms / evaluation (agent + cost model + cache write + log; no-op evaluator) |",
              "|---|---:|"]
    lines += [f"| {name} | {ms:.2f} |" for name, ms in driver.items()]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("Parallel evaluation: 1 vs 2 workers, Ray overhead", text)


if __name__ == "__main__":
    main()
