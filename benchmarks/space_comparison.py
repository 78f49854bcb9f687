"""The paper's claim, measured: does the space with fused / GC-IBN blocks dominate the depthwise-only one?

Two pairs of spaces (``--pair``):

- ``edgetpu-v2`` (default): the full-size GC-IBN space ``edgetpu-v2`` vs ``ibn-dw-only``. Each agent (default:
  random search and TuNAS REINFORCE) searches each space for ``--evaluations`` architectures per seed, with the same
  quality evaluator (default: the zero-cost NASWOT proxy of ``envs/edgetpu-zerocost.yaml``; ``--evaluator train``
  for the short Fashion-MNIST training), the same simulated Pixel 6 (Tensor G1) Edge TPU latency at 224x224x3 and
  the same TuNAS abs reward (target ``--target-ms``). Reported: hypervolume of accuracy vs latency (reference point:
  accuracy 0, latency ``--hv-ms``) of each run's front and of the union of all runs per space, plus the best reward.
  Also writes ``space_comparison_<evaluator>.png`` (both fronts). Resumable through the evaluation cache
  (``benchmarks/.cache/space_<evaluator>.sqlite``).
- ``proxy`` (issue 15 part 4): the small ``proxy`` space vs ``proxy-dw-only`` (depthwise IBN only; every member is a
  ``proxy`` member, so one surrogate scores both), quality = the ``surrogate`` evaluator (``--evaluator-spec`` JSON
  replaces it, e.g. with ``"noise": true`` or another data file), agents REINFORCE and evolution. Every search runs
  once per latency preset (``tensor-g1``, ``coral-usb``): that preset's simulated latency at 224x224x3 in the
  reward (target :data:`PROXY_PRESETS`, inside the latency range both spaces share: proxy-dw-only spans 0.28-0.34 ms
  on tensor-g1 and 1.40-1.54 ms on coral-usb, proxy 0.21-0.62 / 1.15-2.12 ms, 200 samples each) and in the
  hypervolume (reference latency 2x the target, as the run logger's). Reported per preset: the same tables, plus
  the accuracy gap at equal latency (for each point of the depthwise-only union front, the best accuracy of the
  full space's union front at no more latency, minus its own). ``space_comparison_surrogate.png``: one panel per
  preset.

``--confirm K`` (after the searches, which are cheap on the surrogate) lists the best K architectures of each
union front per preset and space (front members by reward, then the next non-dominated layer when the front is
shorter) for the confirmation with the reference training: ``confirm.csv`` and an ``evaluations.csv`` of them in
``benchmarks/.cache/space_confirm/<pair>/`` (``--write`` also commits the list as
``benchmarks/data/space_confirm_<pair>.confirm.csv``), and prints the command that trains them: the reference
training (``reference``'s steps and task), once per seed for :data:`CONFIRM_SEEDS` seeds (45-100 CPU s per
training, the larger networks of a front at the top; resumable), into ``benchmarks/data/space_confirm_<pair>.csv.gz``.
``--confirmed`` then reports (no search): per listed architecture its surrogate and reference accuracy, per preset
and space the mean reference accuracy of its list, the accuracy gap at equal latency by the reference accuracies
and the surrogate's Kendall tau against them.

    nice -n 10 .venv/bin/python benchmarks/space_comparison.py [--evaluations 100] [--seeds 2] [--write]
    .venv/bin/python benchmarks/space_comparison.py --pair proxy --evaluations 2000 --seeds 5 --confirm 5 [--write]
    .venv/bin/python benchmarks/space_comparison.py --pair proxy --confirmed [--write]
"""

from __future__ import annotations

import argparse
import csv
import json
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import _bootstrap  # noqa: E402,F401  (one thread, repo on sys.path)
import numpy as np  # noqa: E402
from results_md import write_section  # noqa: E402

from nasgym.agents import AGENTS  # noqa: E402
from nasgym.envs_config import EnvConfig, load_env_config, make_env  # noqa: E402
from nasgym.evaluation_log import write_log  # noqa: E402
from nasgym.files import atomic_path  # noqa: E402
from nasgym.pareto import hypervolume, pareto_front  # noqa: E402
from nasgym.search.blackbox import run_blackbox  # noqa: E402
from nasgym.search.recorder import EpisodeLogger, SearchLogger  # noqa: E402
from nasgym.surrogate.dataset import Table, load_table  # noqa: E402
from nasgym.surrogate.metrics import kendall  # noqa: E402


@dataclass(frozen=True)
class Pair:
    """Two spaces compared under one env definition, its evaluators and default agents."""

    spaces: tuple[str, str]
    env: str
    evaluators: tuple[str, ...]
    agents: str


PAIRS = {
    "edgetpu-v2": Pair(("edgetpu-v2", "ibn-dw-only"), "EdgeTPU-ZeroCost", ("zero_cost", "train"), "random,reinforce"),
    "proxy": Pair(("proxy", "proxy-dw-only"), "EdgeTPU-Surrogate", ("surrogate", "zero_cost", "train"),
                  "reinforce,evolution"),
}
EVALUATORS = {
    "zero_cost": {"kind": "zero_cost", "dataset": "fashion_mnist", "threads": 1},
    "train": {"kind": "train", "dataset": "fashion_mnist", "steps": 60, "repeats": 1},
    "surrogate": {"kind": "surrogate"},
}
PROXY_PRESETS = {"tensor-g1": 0.3, "coral-usb": 1.45}  # preset -> reward target (ms); hypervolume within 2x
CACHE = ROOT / "benchmarks" / ".cache"
CONFIRM_SPEC = {"kind": "reference", "repeats": 1}  # one reference training per seed: a row per seed
CONFIRM_SEEDS = 3
DATA = ROOT / "benchmarks" / "data"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The arguments, completed with the pair's defaults; ``SystemExit`` with one line for an invalid value."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pair", default="edgetpu-v2", choices=sorted(PAIRS))
    p.add_argument("--evaluations", type=int, default=100)
    p.add_argument("--seeds", type=int, default=2)
    p.add_argument("--agents", help="comma-separated agents (default: the pair's)")
    p.add_argument("--evaluator", help="quality evaluator (default: zero_cost, or surrogate for --pair proxy)")
    p.add_argument("--evaluator-spec", help="an evaluator spec as JSON, replacing the --evaluator's")
    p.add_argument("--target-ms", type=float, default=1.5, help="reward target (--pair edgetpu-v2)")
    p.add_argument("--hv-ms", type=float, default=4.0, help="hypervolume reference latency (--pair edgetpu-v2)")
    p.add_argument("--confirm", type=int, default=0, metavar="K", help="list the best K architectures of each front")
    p.add_argument("--confirmed", action="store_true",
                   help="report the trained confirmation list (benchmarks/data/space_confirm_<pair>.*); no search")
    p.add_argument("--cache-dir", type=Path, default=CACHE, help="runs, caches, plot and lists (default %(default)s)")
    p.add_argument("--write", action="store_true", help="write the section into benchmarks/RESULTS.md")
    args = p.parse_args(argv)
    pair = PAIRS[args.pair]
    args.evaluator = args.evaluator or pair.evaluators[0]
    args.agents = args.agents or pair.agents
    if args.evaluator not in pair.evaluators:
        raise SystemExit(f"error: --evaluator={args.evaluator!r} is invalid for --pair {args.pair}: expected one of "
                         f"{', '.join(pair.evaluators)}")
    for name in ("evaluations", "seeds"):
        if getattr(args, name) < 1:
            raise SystemExit(f"error: --{name}={getattr(args, name)} is invalid: expected an int >= 1")
    if args.confirm < 0:
        raise SystemExit(f"error: --confirm={args.confirm} is invalid: expected an int >= 0")
    unknown = [a for a in args.agents.split(",") if a.strip() not in AGENTS]
    if unknown:
        raise SystemExit(f"error: --agents={args.agents!r} has unknown agent(s) {unknown}: expected among "
                         f"{', '.join(AGENTS)}")
    try:
        args.spec = json.loads(args.evaluator_spec) if args.evaluator_spec else EVALUATORS[args.evaluator]
    except json.JSONDecodeError:
        raise SystemExit(f"error: --evaluator-spec={args.evaluator_spec!r} is invalid: expected a JSON "
                         "object") from None
    return args


def presets(args: argparse.Namespace) -> list[str | None]:
    """The latency presets searched (``None``: the env definition's own cost and ``--target-ms``)."""
    return list(PROXY_PRESETS) if args.pair == "proxy" else [None]


def target_and_hv(args: argparse.Namespace, preset: str | None) -> tuple[float, float]:
    """(reward target, hypervolume reference latency) in ms of ``preset``."""
    if preset is None:
        return args.target_ms, args.hv_ms
    return PROXY_PRESETS[preset], 2.0 * PROXY_PRESETS[preset]


def env_config(space: str, seed: int, args: argparse.Namespace, preset: str | None = None) -> EnvConfig:
    """The env of one search: the pair's definition with ``space``, the evaluator and ``preset``'s latency."""
    target, _ = target_and_hv(args, preset)
    overrides: dict = {"space": space, "evaluator": args.spec, "eval_seed": seed,
                       "reward": {"kind": "abs", "target_latency_ms": target, "beta": -0.10}}
    if preset is None:
        overrides["cache"] = str(args.cache_dir / f"space_{args.evaluator}.sqlite")
    else:
        overrides["cost"] = {"kind": "edgetpu", "hardware": preset}
        overrides["cache"] = None if args.evaluator == "surrogate" else str(
            args.cache_dir / f"space_{args.evaluator}.sqlite")
    return load_env_config(PAIRS[args.pair].env, **overrides)


def run_search(space: str, agent: str, seed: int, args: argparse.Namespace, preset: str | None = None) -> SearchLogger:
    """One search from scratch; evaluations come from the persistent cache when already done, so reruns are cheap."""
    config = env_config(space, seed, args, preset)
    logdir = args.cache_dir / "space_runs" / args.evaluator / (preset or "") / space / agent / f"seed{seed}"
    shutil.rmtree(logdir, ignore_errors=True)
    logger = SearchLogger(logdir, target_and_hv(args, preset)[1], tensorboard=False, image_every=0)
    env = make_env(config)
    run_blackbox(EpisodeLogger(env, logger), AGENTS[agent](env.unwrapped.space, seed=seed), args.evaluations,
                 seed=seed)
    env.close()
    logger.close()
    return logger


def front_hv(rows: list[dict], hv_ms: float) -> float:
    """Hypervolume of the front of ``rows`` (accuracy vs latency, reference latency ``hv_ms``)."""
    return hypervolume([(r["accuracy"], r["latency_ms"]) for r in pareto_front(rows)], hv_ms)


def compare(args: argparse.Namespace) -> dict:
    """Every preset x space x agent x seed: ``{preset: {"table": {(space, agent): (hv, hv sd, best, best sd)},
    "union": {space: rows}}}``."""
    spaces, agents = PAIRS[args.pair].spaces, [a.strip() for a in args.agents.split(",")]
    out = {}
    for preset in presets(args):
        hv_ms = target_and_hv(args, preset)[1]
        table, union = {}, {space: [] for space in spaces}
        for space in spaces:
            for agent in agents:
                hvs, bests = [], []
                for seed in range(args.seeds):
                    rows = run_search(space, agent, seed, args, preset).rows[: args.evaluations]
                    union[space] += rows
                    hvs.append(front_hv(rows, hv_ms))
                    bests.append(max(r["reward"] for r in rows))
                    print(f"{preset + ' ' if preset else ''}{space} {agent} seed {seed}: hv {hvs[-1]:.4f}, best "
                          f"reward {bests[-1]:.4f}", flush=True)
                table[space, agent] = (np.mean(hvs), np.std(hvs), np.mean(bests), np.std(bests))
        out[preset] = {"table": table, "union": union}
    return out


def gaps_at_equal_latency(full: list[dict], baseline: list[dict]) -> list[float]:
    """For each point of ``baseline``'s front: the best accuracy of ``full``'s front at no more latency, minus the
    point's accuracy (NaN where ``full`` has no point that fast)."""
    front = pareto_front(full)
    gaps = []
    for point in pareto_front(baseline):
        fast = [r["accuracy"] for r in front if r["latency_ms"] <= point["latency_ms"]]
        gaps.append(max(fast) - point["accuracy"] if fast else float("nan"))
    return gaps


def markdown(args: argparse.Namespace, result: dict) -> str:
    """The results section's text."""
    if args.pair != "proxy":
        return markdown_edgetpu(args, result[None])
    spaces = PAIRS["proxy"].spaces
    lines = [
        f"Equal budgets and seeds: {args.evaluations} evaluations x {args.seeds} seeds per agent, space and latency "
        f"preset; quality = `{args.evaluator}` evaluator (`{json.dumps(args.spec)}`); latency simulated at 224x224x3 "
        "on each preset, reward TuNAS abs (beta -0.10) with the preset's target. Hypervolume of accuracy vs latency "
        "against (accuracy 0, 2x target), normalized; mean ± std over seeds.",
        "",
        "| preset (target) | space | agent | hypervolume | best reward |",
        "|---|---|---|---:|---:|",
    ]
    for preset, part in result.items():
        for (space, agent), (hv, hv_sd, best, best_sd) in part["table"].items():
            lines.append(f"| {preset} ({PROXY_PRESETS[preset]} ms) | {space} | {agent} | {hv:.4f} ± {hv_sd:.4f} | "
                         f"{best:.4f} ± {best_sd:.4f} |")
    lines += ["", f"| preset | hypervolume of the union front: {spaces[0]} | {spaces[1]} | accuracy gap at equal "
              f"latency ({spaces[0]} front - {spaces[1]} front points): mean, min, max |", "|---|---:|---:|---|"]
    for preset, part in result.items():
        hv_ms = target_and_hv(args, preset)[1]
        hvs = [front_hv(part["union"][s], hv_ms) for s in spaces]
        gap = gap_text(gaps_at_equal_latency(part["union"][spaces[0]], part["union"][spaces[1]]))
        lines.append(f"| {preset} | {hvs[0]:.4f} | {hvs[1]:.4f} | {gap} |")
    return "\n".join(lines) + "\n"


def markdown_edgetpu(args: argparse.Namespace, part: dict) -> str:
    """The text of the full-size pair (as it has always been written)."""
    lines = [
        f"Equal budgets and seeds: {args.evaluations} evaluations x {args.seeds} seeds per agent and space; quality "
        f"= `{args.evaluator}` evaluator on Fashion-MNIST; latency simulated on `tensor-g1` at 224x224x3; reward "
        f"TuNAS abs, target {args.target_ms} ms, beta -0.10. Hypervolume of accuracy vs latency against (accuracy 0, "
        f"{args.hv_ms} ms), normalized by {args.hv_ms} ms; mean ± std over seeds.",
        "",
        "| space | agent | hypervolume | best reward |",
        "|---|---|---:|---:|",
    ]
    for (space, agent), (hv, hv_sd, best, best_sd) in part["table"].items():
        lines.append(f"| {space} | {agent} | {hv:.4f} ± {hv_sd:.4f} | {best:.4f} ± {best_sd:.4f} |")
    lines += ["", "| space | hypervolume of the union of all runs' fronts |", "|---|---:|"]
    lines += [f"| {space} | {front_hv(rows, args.hv_ms):.4f} |" for space, rows in part["union"].items()]
    return "\n".join(lines) + "\n"


def best_of_front(rows: list[dict], k: int) -> list[dict]:
    """The best ``k`` distinct architectures of ``rows``' front by reward; when the front is shorter, the next
    non-dominated layer (the front of the rest), and so on."""
    best: dict[str, dict] = {}
    for row in sorted(rows, key=lambda r: -r["reward"]):  # an architecture's best row (seeds differ with noise)
        best.setdefault(row["arch_hash"], row)
    left = list(best.values())
    picked: list[dict] = []
    while left and len(picked) < k:
        layer = {r["arch_hash"] for r in pareto_front(left)}
        picked += sorted((r for r in left if r["arch_hash"] in layer), key=lambda r: -r["reward"])[: k - len(picked)]
        left = [r for r in left if r["arch_hash"] not in layer]
    return picked


def confirm_list(args: argparse.Namespace, result: dict, k: int) -> list[dict]:
    """The best ``k`` architectures of each preset's union front per space, ranked (see :func:`best_of_front`)."""
    out = []
    for preset, part in result.items():
        for space, rows in part["union"].items():
            for rank, row in enumerate(best_of_front(rows, k), 1):
                out.append({"preset": preset or "tensor-g1", "space": space, "rank": rank, **row})
    return out


def write_confirm(args: argparse.Namespace, picked: list[dict]) -> tuple[Path, str]:
    """``confirm.csv`` (the list) and ``evaluations.csv`` (its distinct architectures, the log format that
    ``surrogate_data.py --from-run`` reads) in ``CACHE/space_confirm/<pair>``; returns (folder, training command)."""
    folder = args.cache_dir / "space_confirm" / args.pair
    folder.mkdir(parents=True, exist_ok=True)
    fields = ["preset", "space", "rank", "arch_hash", "accuracy", "latency_ms", "reward", "arch_string"]
    with atomic_path(folder / "confirm.csv") as tmp, open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(picked)
    distinct = list({r["arch_hash"]: r for r in picked}.values())
    write_log(folder / "evaluations.csv", [{**r, "evaluation": i} for i, r in enumerate(distinct, 1)])
    command = (f"nice -n 10 .venv/bin/python benchmarks/surrogate_data.py --spec "
               f"{shlex.quote(json.dumps(CONFIRM_SPEC))} --seeds {CONFIRM_SEEDS} --archs 0 --study none --no-curve "
               f"--from-run {folder} --out {confirm_paths(args.pair)[1].relative_to(ROOT)} --workers 2")
    return folder, command


def confirm_paths(pair: str, data: Path = DATA) -> tuple[Path, Path]:
    """(committed confirmation list, its reference trainings) of ``pair``."""
    return data / f"space_confirm_{pair}.confirm.csv", data / f"space_confirm_{pair}.csv.gz"


def read_confirmed(pair: str, data: Path = DATA) -> tuple[list[dict], Table]:
    """The committed confirmation list of ``pair`` and its reference trainings; ``SystemExit`` with one line when
    either is missing."""
    listed_path, trained_path = confirm_paths(pair, data)
    for path, made_by in ((listed_path, "--confirm K --write"), (trained_path, "the command --confirm prints")):
        if not path.is_file():
            raise SystemExit(f"error: {path} does not exist: expected the output of {made_by}")
    with open(listed_path, newline="") as f:
        listed = list(csv.DictReader(f))
    return listed, load_table(trained_path)


def confirmed_markdown(listed: list[dict], trained: Table) -> str:
    """The confirmation section: each listed architecture's surrogate and reference accuracy, then per preset and
    space the list's mean, the gap at equal latency by reference accuracy and the surrogate's tau against it."""
    by_hash = {arch.hash: i for i, arch in enumerate(trained.archs)}
    seeds = int(np.isfinite(trained.accuracy).sum(axis=1).min())
    spec = json.dumps(CONFIRM_SPEC)
    lines = [f"The best {max(int(r['rank']) for r in listed)} architectures of each union front above, trained "
             f"with the reference training (`{spec}`, {seeds}+ seeds each; seed std "
             f"{100 * trained.seed_std():.2f} pt). Reference accuracy: mean ± std over seeds.", "",
             "| preset | space | rank | latency (ms) | surrogate accuracy | reference accuracy |",
             "|---|---|---:|---:|---:|---:|"]
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in listed:
        i = by_hash.get(r["arch_hash"])
        if i is None:
            continue
        acc = trained.accuracy[i][np.isfinite(trained.accuracy[i])]
        row = {**r, "evaluation": int(r["rank"]), "latency_ms": float(r["latency_ms"]),
               "surrogate": float(r["accuracy"]), "accuracy": float(acc.mean()),
               "sd": float(acc.std(ddof=1)) if len(acc) > 1 else 0.0}
        groups.setdefault((r["preset"], r["space"]), []).append(row)
        lines.append(f"| {r['preset']} | {r['space']} | {r['rank']} | {row['latency_ms']:.3f} | "
                     f"{row['surrogate']:.4f} | {row['accuracy']:.4f} ± {row['sd']:.4f} |")
    missing = len({r["arch_hash"] for r in listed} - set(by_hash))
    lines += ["", "| preset | space | architectures | mean latency (ms) | mean surrogate accuracy | mean reference "
              "accuracy ± s.e. | surrogate tau vs reference |", "|---|---|---:|---:|---:|---:|---:|"]
    for (preset, space), rows in groups.items():
        ref = np.array([r["accuracy"] for r in rows])
        se = ref.std(ddof=1) / np.sqrt(len(ref)) if len(ref) > 1 else float("nan")
        tau = kendall(np.array([r["surrogate"] for r in rows]), ref)
        lines.append(f"| {preset} | {space} | {len(rows)} | {np.mean([r['latency_ms'] for r in rows]):.3f} | "
                     f"{np.mean([r['surrogate'] for r in rows]):.4f} | {ref.mean():.4f} ± {se:.4f} | {tau:.2f} |")
    full, dw = PAIRS["proxy"].spaces
    lines += ["", f"| preset | accuracy gap at equal latency by reference accuracy ({full} list's front - {dw} "
              "list's front points): mean, min, max | by surrogate accuracy, same points |", "|---|---|---|"]
    for preset in dict.fromkeys(p for p, _ in groups):
        a, b = groups.get((preset, full), []), groups.get((preset, dw), [])
        a_sur, b_sur = ([{**r, "accuracy": r["surrogate"]} for r in rows] for rows in (a, b))
        lines.append(f"| {preset} | {gap_text(gaps_at_equal_latency(a, b))} | "
                     f"{gap_text(gaps_at_equal_latency(a_sur, b_sur))} |")
    every = [r for rows in groups.values() for r in rows]
    distinct = list({r["arch_hash"]: r for r in every}.values())
    tau = kendall(np.array([r["surrogate"] for r in distinct]), np.array([r["accuracy"] for r in distinct]))
    lines += ["", f"Surrogate vs reference accuracy over the {len(distinct)} distinct trained architectures: Kendall "
              f"tau {tau:.3f}." + (f" {missing} listed architectures are not trained yet." if missing else "")]
    return "\n".join(lines) + "\n"


def gap_text(gaps: list[float]) -> str:
    """Mean, min and max of the finite ``gaps`` (from :func:`gaps_at_equal_latency`)."""
    finite = np.array([g for g in gaps if np.isfinite(g)])
    return (f"{finite.mean():+.4f}, {finite.min():+.4f}, {finite.max():+.4f} over {len(finite)} points"
            if finite.size else "none at equal latency")


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.confirmed:
        text = confirmed_markdown(*read_confirmed(args.pair))
        print(text)
        if args.write:
            write_section(f"The paper's claim on the small space, confirmed by the reference training ({args.pair})",
                          text)
        return
    result = compare(args)
    text = markdown(args, result)
    png = f"space_comparison_{args.evaluator}.png"
    plot(result, args, args.cache_dir / png)
    print(text)
    if args.confirm:
        picked = confirm_list(args, result, args.confirm)
        folder, command = write_confirm(args, picked)
        print(f"{len(picked)} front architectures ({len({r['arch_hash'] for r in picked})} distinct) listed in "
              f"{folder / 'confirm.csv'}; train them with the reference training ({CONFIRM_SEEDS} seeds, 45-100 "
              f"CPU s per training; resumable), then report with --confirmed:\n  {command}")
        if args.write:
            shutil.copyfile(folder / "confirm.csv", confirm_paths(args.pair)[0])
    if args.write:
        (ROOT / "benchmarks" / png).write_bytes((args.cache_dir / png).read_bytes())
        title = (f"The paper's claim: GC-IBN space vs depthwise-only space ({args.evaluator} quality)"
                 if args.pair != "proxy" else
                 f"The paper's claim on the small space: proxy vs proxy-dw-only ({args.evaluator} quality)")
        write_section(title, text + f"\n![fronts of both spaces]({png})\n")


def plot(result: dict, args: argparse.Namespace, path: Path) -> None:
    """All evaluated points and the union front of each space, one panel per preset."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(1, len(result), figsize=(7 * len(result), 4.2), dpi=110, squeeze=False)
    for ax, (preset, part) in zip(axes[0], result.items(), strict=True):
        for space, rows in part["union"].items():
            pts = ax.scatter([r["latency_ms"] for r in rows], [r["accuracy"] for r in rows], s=6, alpha=0.35,
                             label=f"{space} (evaluated)")
            front = pareto_front(rows)
            ax.step([r["latency_ms"] for r in front], [r["accuracy"] for r in front], where="post",
                    color=pts.get_facecolor()[0][:3], label=f"{space} front")
        ax.set_xlim(0, target_and_hv(args, preset)[1] * 1.5)
        ax.set_xlabel(f"simulated latency on {preset or 'tensor-g1'} (ms)")
        ax.set_ylabel(f"accuracy ({args.evaluator} evaluator)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


if __name__ == "__main__":
    main()
