"""Short searches on the segmentation and text tasks vs reference backbones (section of benchmarks/RESULTS.md).

For each task env (``envs/edgetpu-mosaic-segmentation.yaml``, ``envs/edgetpu-tweets-text.yaml``): regularized evolution
(population 6, tournament 3) for ``--evaluations`` architectures of the ``proxy`` space through
:func:`nasgym.search.run` (train.py's runner: the same logs as any agent, evaluation seed 0), then the reference
backbones with the same task head, training budget and seed: MobileNetV2 1.0 (and MobileNetEdgeTPUV2-Tiny for text) and
the proxy space's MobileNetV2-style member (every block ``ibn_dw`` k3 e4, widest widths). The best found network (by
reward) and the references are also scored on the test split (same trained network, same seed), and the best found
network and the proxy-space reference are trained again with evaluation seeds 1 and 2 (seed noise). Latency is simulated
on the Pixel 6 (Tensor G1) Edge TPU at the deployment input of the env (512x512x3 / 64 tokens x 64 channels), task head
included.

Resumable: evaluations are cached in ``benchmarks/.cache/tasks.sqlite`` and each search continues from its log dir
(``benchmarks/.cache/task_runs/TASK``). Run (on a 2-core CPU shared with other jobs: text about 15 minutes,
segmentation about 40, mostly the reference backbones):

    nice -n 10 .venv/bin/python benchmarks/task_search.py [--task segmentation|text] [--evaluations N] [--write]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import nasgym  # noqa: E402
from nasgym.envs_config import load_env_config, make_env  # noqa: E402
from nasgym.quality import CachedEvaluator, EvaluationCache  # noqa: E402
from nasgym.space.search_space import SearchSpace  # noqa: E402
from nasgym.tasks import TaskEvaluator  # noqa: E402

CACHE_DIR = ROOT / "benchmarks" / ".cache"
CACHE = CACHE_DIR / "tasks.sqlite"
ENVS = {"segmentation": "EdgeTPU-FashionMosaic-Segmentation", "text": "EdgeTPU-TweetSentiment-Text"}
METRIC = {"segmentation": "mean IoU", "text": "top-1 accuracy"}
# Published backbones per task; segmentation drops MobileNetEdgeTPUV2-Tiny (35 M MACs per 56x56 mosaic, ~9x a
# searched net: two ~10-minute trainings on the shared CPU did not fit the time box).
REFERENCES = {"text": ("mobilenet_edgetpu_v2_tiny", "mobilenet_v2_1.0"), "segmentation": ("mobilenet_v2_1.0",)}
SECTION = "Tasks (short searches)"


def mobilenet_v2_style(space: SearchSpace) -> nasgym.Architecture:
    """The space member with every block ``ibn_dw`` k3 e4 (where allowed) and the widest widths."""
    preferred = {"op": "ibn_dw", "kernel": 3, "expansion": 4}
    cursor = space.cursor()
    while not cursor.done:
        decision, mask = cursor.decision, cursor.mask()
        valid = [i for i, ok in enumerate(mask) if ok]
        if decision.kind in preferred and preferred[decision.kind] in decision.choices:
            want = decision.choices.index(preferred[decision.kind])
            index = want if mask[want] else valid[0]
        elif decision.kind in ("width", "stem_filters", "head_filters"):
            index = valid[-1]
        else:
            index = valid[0]
        cursor.choose(index)
    return cursor.architecture()


def run_search(task: str, evaluations: int):
    """The search (resumed from its log dir); returns its :class:`nasgym.search.RunResult`."""
    from nasgym.search import RunConfig, run

    hyper = CACHE_DIR / "evolution.yaml"
    hyper.parent.mkdir(parents=True, exist_ok=True)
    hyper.write_text(yaml.safe_dump({"population_size": 6, "sample_size": 3}))
    return run(RunConfig(env=ENVS[task], algo="evolution", evaluations=evaluations, seed=0,
                         logdir=str(CACHE_DIR / "task_runs" / task), cache=str(CACHE), hyperparams=str(hyper),
                         references="none", progress=False, tensorboard=False))


def task_table(task: str, evaluations: int) -> str:
    """The markdown of one task."""
    logger = run_search(task, evaluations)
    config = load_env_config(ENVS[task], cache=str(CACHE))
    env = make_env(config).unwrapped
    spec = {k: v for k, v in config.evaluator.items() if k != "kind"}
    test_eval = CachedEvaluator(TaskEvaluator(**spec, split="test"), EvaluationCache(CACHE))
    ranked, seen = [], set()
    for row in sorted(logger.rows, key=lambda r: -r["reward"]):
        if row["arch_hash"] not in seen:
            seen.add(row["arch_hash"])
            ranked.append(row)
    space_ref = mobilenet_v2_style(env.space)
    candidates = [(f"found #{i + 1}", nasgym.Architecture.from_json(row["arch"]) if isinstance(row["arch"], str)
                   else nasgym.Architecture.from_dict(row["arch"])) for i, row in enumerate(ranked[:3])]
    n_found = len(candidates)
    candidates += [(name, nasgym.reference(name)) for name in REFERENCES[task]]
    candidates.append(("proxy-space MobileNetV2-style (all ibn_dw k3 e4)", space_ref))
    lines = [
        f"| network | val {METRIC[task]} | test {METRIC[task]} | latency ms | deploy MACs (M) | params (k) "
        "| reward | architecture |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for i, (name, arch) in enumerate(candidates):
        info = env.evaluate(arch)
        test = test_eval.evaluate(arch, 0)[0]["accuracy"] if i == 0 or i >= n_found else None
        test_text = f"{test:.3f}" if test is not None else "-"
        lines.append(
            f"| {name} | {info['accuracy']:.3f} | {test_text} | {info['latency_ms']:.3f} | {info['macs'] / 1e6:,.2f} "
            f"| {info['params'] / 1e3:,.0f} | {info['reward']:.4f} | `{arch.to_string()}` |"
        )
    env.close()
    val_eval = CachedEvaluator(TaskEvaluator(**spec), EvaluationCache(CACHE))
    noise = []
    for name, arch in (candidates[0], candidates[-1]):
        scores = [val_eval.evaluate(arch, seed)[0]["accuracy"] for seed in (0, 1, 2)]
        noise.append(f"{name}: {', '.join(f'{v:.3f}' for v in scores)} (sd {statistics.stdev(scores):.3f})")
    accuracies = [r["accuracy"] for r in logger.rows]
    latencies = [r["latency_ms"] for r in logger.rows]
    eval_seconds = [r["eval_seconds"] for r in logger.rows if not r["cache_hit"]]
    reward = config.reward
    summary = (
        f"**{task}** (`nasgym/{ENVS[task]}-v0`): {len(logger.rows)} evaluations of regularized evolution "
        f"(population 6, tournament 3, seed 0), reward `{reward['kind']}` with target {reward['target_latency_ms']} "
        f"ms. Searched {METRIC[task]}: {min(accuracies):.3f}-{max(accuracies):.3f}; latency "
        f"{min(latencies):.3f}-{max(latencies):.3f} ms; Pareto front {len(logger.front)} nets, hypervolume "
        f"{logger.hypervolume:.4f}; "
        + (f"{sum(eval_seconds) / len(eval_seconds):.0f} s wall per uncached evaluation; " if eval_seconds else "")
        + f"search wall time {logger.rows[-1]['wall_s'] / 60:.1f} min."
    )
    seeds = f"Evaluation-seed noise (val {METRIC[task]} for seeds 0, 1, 2): " + "; ".join(noise) + "."
    return summary + "\n\n" + "\n".join(lines) + "\n\n" + seeds


def main(argv: list[str] | None = None) -> int:
    """Run the searches; print the section (and write it into RESULTS.md with ``--write``)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--task", choices=list(ENVS), action="append", help="default: both")
    p.add_argument("--evaluations", type=int, default=14)
    p.add_argument("--write", action="store_true", help="write the section into benchmarks/RESULTS.md")
    ns = p.parse_args(argv)
    tasks = ns.task or list(ENVS)
    intro = (
        "Command: `nice -n 10 .venv/bin/python benchmarks/task_search.py --write` (2-core CPU shared with other "
        "jobs; wall times are indicative only). Quality is measured on the proxy task (val split for the search, "
        "test split for the final rows) after the env's short training; latency is simulated for the deployment "
        "network (Tensor G1 preset, task head included). The reference backbones get the same head, proxy "
        "adaptation, training budget and seed. Architecture strings are the searched space members (their nominal "
        "`in224x224x3` is replaced by the env's deployment and proxy inputs)."
    )
    for task in tasks:
        table = task_table(task, ns.evaluations)
        print(table, flush=True)
        if ns.write:
            from results_md import write_section

            write_section(f"{SECTION}: {task}", intro + "\n\n" + table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
