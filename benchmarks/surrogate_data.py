"""nasgym-Bench data (issue 15): `proxy`-space architectures evaluated at >= 2 seeds by the named `default` evaluator.

Sampled like NAS-Bench-301: the architectures of the quality study (``benchmarks/data/proxy_study.csv``, which
have reference accuracies), those visited by searches (``--from-run DIR``: its ``evaluations.csv``; members of
other spaces are skipped; ``--per-run N``: only the last N distinct ones of each run, where it had converged; they
are recorded in ``FINGERPRINT.visited.csv`` beside the data file, and every later run of the command includes them),
then the first ``--archs`` N uniform random architectures of a seed used for nothing else (a larger N extends the
same sample; the default, 704, completes the committed 1,000 architectures with the study's 79 and the 217
visited). Every architecture is evaluated at seeds 0..S-1 on the parallel executor
(``nasgym.parallel``, ``--workers`` processes); the driver alone writes the evaluation cache
(``$NASGYM_CACHE/surrogate_data.sqlite``), so killing and rerunning the command resumes where it stopped, and
rewrites ``benchmarks/data/surrogate/FINGERPRINT.csv.gz`` (one row per architecture and seed, atomically, every
``--save-every`` evaluations and at the end). The evaluator is the named spec (``--spec``, default ``default``),
never a copy of its fields: when ``default`` changes, its fingerprint changes and the rows go to a new file (the
old file is kept apart, never mixed). On start the committed rows of this fingerprint, and the quality study's rows
of it, are loaded into the cache, so a fresh machine resumes from the repository::

    nice -n 10 .venv/bin/python benchmarks/surrogate_data.py --workers 2                  # run / resume
    .venv/bin/python benchmarks/surrogate_data.py --report                                 # progress, noise

Learning-curve points: evaluations also record the accuracy after 1/4 and 1/2 of the training steps
(:data:`CURVE`: the train evaluator's ``curve`` points, scored on 2,000 validation images; ``--no-curve`` leaves
them out). The training and the final accuracy are bit-identical with or without them, so the rows stay those of
the named spec's fingerprint (file name and cache key); a row's ``metrics`` holds ``curve_steps`` and ``curve``
(rows measured without curve points simply lack them).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sqlite3
import sys
import time
from concurrent.futures import Future
from pathlib import Path

import _bootstrap  # noqa: F401  (repository root on sys.path, one BLAS thread)
import numpy as np

import nasgym
from nasgym.evaluation_log import read_log
from nasgym.files import atomic_path, cache_dir
from nasgym.hw import make_cost_model
from nasgym.parallel import first_completed, make_executor
from nasgym.quality import EvaluationCache, make_evaluator
from nasgym.space.architecture import Architecture
from nasgym.surrogate.dataset import PRESETS, data_path, load_table, metrics_of, read_rows, write_rows
from nasgym.surrogate.metrics import kendall, seed_kendall

HERE = Path(__file__).resolve().parent
STUDY_CSV = HERE / "data" / "proxy_study.csv"
SPACE = "proxy"
SAMPLE_SEED = 150115  # the uniform sample's seed (used for nothing else)
CURVE = {"curve": [0.25, 0.5], "curve_val_images": 2000}  # learning-curve points for multi-fidelity agents


def with_curve(spec: str | dict) -> dict:
    """``spec`` plus the :data:`CURVE` fields (a named spec as ``{"kind": NAME, ...}``)."""
    return {**({"kind": spec} if isinstance(spec, str) else spec), **CURVE}


def parse_spec(text: str) -> str | dict:
    """``--spec``: a named spec (``default``) or a JSON object; the evaluator is made to check it."""
    spec = json.loads(text) if text.lstrip().startswith("{") else text
    make_evaluator(spec)
    return spec


def uniform(n: int) -> list[Architecture]:
    """The first ``n`` distinct architectures of the fixed uniform sample."""
    space, rng = nasgym.load_space(SPACE), np.random.default_rng(SAMPLE_SEED)
    out: dict[str, Architecture] = {}
    while len(out) < n:
        arch = space.sample(rng)
        out.setdefault(arch.hash, arch)
    return list(out.values())


def study_archs(path: Path = STUDY_CSV) -> list[Architecture]:
    """The architectures of the quality study's rows, in file order."""
    if not path.is_file():
        return []
    with open(path, newline="") as handle:
        texts = dict.fromkeys(row["arch_string"] for row in csv.DictReader(handle))
    return [Architecture.parse(text) for text in texts]


def run_archs(folder: Path, last: int | None = None) -> list[Architecture]:
    """The `proxy`-space architectures a search visited (``folder/evaluations.csv``), in log order; with ``last``,
    only the last ``last`` of them (where the search had converged).

    Raises:
        ValueError: ``folder`` has no ``evaluations.csv``.
    """
    log = Path(folder) / "evaluations.csv"
    if not log.is_file():
        raise ValueError(f"--from-run {str(folder)!r} has no evaluations.csv: expected a run folder of train.py")
    space = nasgym.load_space(SPACE)
    archs = dict.fromkeys(Architecture.from_json(row["arch"]) for row in read_log(log).rows)
    members = [arch for arch in archs if space.contains(arch)]
    return members if last is None else members[-last:]


def visited_path(out: Path) -> Path:
    """The list of search-visited architectures of the data file ``out``, committed beside it
    (``FINGERPRINT.visited.csv``), so a fresh clone resumes the same sample without the run folders."""
    return out.with_name(out.name.removesuffix(".csv.gz") + ".visited.csv")


VISITED_COLUMNS = ("arch_string", "arch_hash", "run")


def _visited_rows(path: Path) -> list[dict]:
    """The rows of a visited list (none when it does not exist)."""
    if not path.is_file():
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _parse_visited(path: Path, rows: list[dict]) -> list[Architecture]:
    """The architectures of the visited list ``rows`` read from ``path``.

    Raises:
        ValueError: A row is not an architecture string (names the file and line).
    """
    out = []
    for line, row in enumerate(rows, start=2):
        try:
            out.append(Architecture.parse(row["arch_string"]))
        except (KeyError, ValueError) as err:
            raise ValueError(f"visited list {str(path)!r} line {line}: {err}: expected a column arch_string of "
                             "architecture strings") from None
    return out


def read_visited(path: Path) -> list[Architecture]:
    """The architectures of a visited list, in file order (none when it does not exist).

    Raises:
        ValueError: As :func:`_parse_visited`.
    """
    return _parse_visited(path, _visited_rows(path))


def add_visited(path: Path, runs: list[tuple[Path, list[Architecture]]]) -> list[Architecture]:
    """Append the architectures of ``runs`` (folder, visited) not yet in the list at ``path`` (the file rewritten
    atomically); returns the whole list."""
    rows = _visited_rows(path)
    known = _parse_visited(path, rows)
    seen, new = {arch.hash for arch in known}, []
    for folder, archs in runs:
        for arch in archs:
            if arch.hash not in seen:
                seen.add(arch.hash)
                new.append(arch)
                rows.append({"arch_string": arch.to_string(), "arch_hash": arch.hash, "run": str(folder)})
    if new:
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=VISITED_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_text(text.getvalue())
    return known + new


def work_list(n_random: int, visited: list[Architecture], study: Path | None = STUDY_CSV
              ) -> dict[str, tuple[Architecture, str]]:
    """hash -> (architecture, source) in evaluation order: study, search-visited, uniform (first source wins)."""
    out: dict[str, tuple[Architecture, str]] = {}
    groups = [("study", study_archs(study) if study else []), ("run", visited),
              ("random", uniform(n_random))]
    for source, archs in groups:
        for arch in archs:
            out.setdefault(arch.hash, (arch, source))
    return out


class Store:
    """The dedicated evaluation cache plus the source of each architecture (table ``sources`` of the same file)."""

    def __init__(self, db: Path, fingerprint: str) -> None:
        self.cache, self.db, self.fingerprint = EvaluationCache(db), db, fingerprint
        with sqlite3.connect(db, timeout=60) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS sources (arch_hash TEXT PRIMARY KEY, source TEXT)")

    def add_sources(self, items: dict[str, tuple[Architecture, str]]) -> None:
        with sqlite3.connect(self.db, timeout=60) as conn:
            conn.executemany("INSERT OR IGNORE INTO sources VALUES (?, ?)",
                             [(h, source) for h, (_, source) in items.items()])

    def sources(self) -> dict[str, str]:
        with sqlite3.connect(self.db, timeout=60) as conn:
            return dict(conn.execute("SELECT arch_hash, source FROM sources").fetchall())

    def get(self, arch: Architecture, seed: int) -> dict | None:
        return self.cache.get(arch.hash, self.fingerprint, seed)

    def put(self, arch: Architecture, seed: int, metrics: dict) -> None:
        self.cache.put(arch.hash, self.fingerprint, seed, metrics, arch.to_json())


def load_committed(store: Store, out: Path, study: Path | None = STUDY_CSV) -> int:
    """Put the rows of ``out`` and the study's rows of this fingerprint into the cache where missing; the count."""
    added = 0
    if out.is_file():
        rows = [r for r in read_rows(out) if r["fingerprint"] == store.fingerprint]
        with sqlite3.connect(store.db, timeout=60) as conn:
            conn.executemany("INSERT OR IGNORE INTO sources VALUES (?, ?)", [(r["arch_hash"], r["source"])
                                                                              for r in rows])
        for r in rows:
            arch = Architecture.parse(r["arch_string"])
            if store.get(arch, int(r["seed"])) is None:
                store.put(arch, int(r["seed"]), json.loads(r["metrics"]))
                added += 1
    if study is not None and study.is_file():
        with open(study, newline="") as handle:
            for r in csv.DictReader(handle):
                if r["fingerprint"] == store.fingerprint:
                    arch = Architecture.parse(r["arch_string"])
                    if store.get(arch, int(r["cache_seed"])) is None:
                        store.put(arch, int(r["cache_seed"]), json.loads(r["metrics"]))
                        added += 1
    return added


_COSTS: dict[str, object] = {}


def arch_columns(arch: Architecture) -> dict:
    """params, MACs and simulated latency per preset of the deployment network (as the env's cost model)."""
    out: dict = {}
    for preset in PRESETS:
        model = _COSTS.setdefault(preset, make_cost_model({"kind": "edgetpu", "hardware": preset}))
        cost = model.evaluate(arch)
        out.update(params=int(cost["params"]), macs=int(cost["macs"]))
        out[f"latency_ms.{preset}"] = f"{cost['latency_ms']:.6f}"
    return out


def save(store: Store, out: Path) -> int:
    """Rewrite ``out`` from every cached row of this fingerprint (one per architecture and seed); the count."""
    sources, rows = store.sources(), []
    for row in store.cache.rows(store.fingerprint):
        arch, metrics = Architecture.from_json(row["arch_json"]), json.loads(row["metrics"])
        rows.append({"arch_string": arch.to_string(), "arch_hash": arch.hash,
                     "source": sources.get(arch.hash, "unknown"), "seed": row["seed"],
                     "accuracy": f"{float(metrics['accuracy']):.6f}",
                     "cpu_seconds": f"{float(metrics.get('cpu_seconds', float('nan'))):.3f}",
                     "failed": metrics.get("failed") or "", **arch_columns(arch),
                     "proxy_params": metrics.get("params", ""), "fingerprint": store.fingerprint,
                     "metrics": json.dumps(metrics, sort_keys=True)})
    return write_rows(out, rows)


def collect(spec: str | dict, store: Store, items: dict, seeds: int, workers: int, out: Path, save_every: int,
            stop_after: int | None) -> int:
    """Evaluate every missing (architecture, seed), ``workers`` at a time; returns the number evaluated."""
    todo = [(arch, seed) for arch, _ in items.values() for seed in range(seeds) if store.get(arch, seed) is None]
    if stop_after is not None:
        todo = todo[:stop_after]
    print(f"{len(items)} architectures x {seeds} seeds: {len(todo)} evaluations to do", flush=True)
    if not todo:
        return 0
    executor = make_executor(spec, workers)
    pending: dict[Future, tuple[Architecture, int]] = {}
    done, start = 0, time.time()
    try:
        while todo or pending:
            while todo and len(pending) < workers:
                arch, seed = todo.pop(0)
                pending[executor.submit(arch, seed)] = (arch, seed)
            future = first_completed(list(pending))
            arch, seed = pending.pop(future)
            metrics = future.result()
            store.put(arch, seed, metrics)
            done += 1
            print(f"[{done}] {arch.hash} seed {seed}: acc {metrics['accuracy']:.4f} "
                  f"cpu {metrics.get('cpu_seconds', float('nan')):.1f}s {metrics.get('failed') or ''} "
                  f"({(time.time() - start) / done:.1f} s each)", flush=True)
            if done % save_every == 0:
                save(store, out)
    finally:
        executor.close()
        save(store, out)
    return done


def report(out: Path, steps: int | None = None) -> str:
    """Progress and the data's own noise, from the written file; with the evaluator's ``steps``, per learning-curve
    point its Kendall tau against the final accuracy and between its two seeds (what a multi-fidelity agent sees)."""
    if not out.is_file():
        return f"{out}: no rows yet"
    rows = read_rows(out)
    table = load_table(out, rows=rows, steps=steps)
    cpu = [float(r["cpu_seconds"]) for r in rows if r["cpu_seconds"] not in ("", "nan")]
    sources = {s: table.sources.count(s) for s in dict.fromkeys(table.sources)}
    both = table.complete(2)
    curves = sum("curve" in metrics_of(r) for r in rows)
    points = []
    for j, fraction in enumerate(table.fractions):
        values = table.curve[both][:, :, j]
        usable = np.isfinite(values).all(axis=1)
        if usable.sum() >= 2:
            points.append(f"at {fraction:g} of the steps ({int(usable.sum())} architectures): tau vs final "
                          f"{kendall(values[usable].mean(axis=1), table.mean[both][usable]):.3f}, seed-vs-seed "
                          f"{seed_kendall(values[usable]):.3f}")
    return (f"{out.name}: {len(table.archs)} architectures ({sources}), seeds {list(table.seeds)}, "
            f"{int(both.sum())} with >= 2 seeds, {curves} rows with learning-curve points; "
            f"mean accuracy {np.nanmean(table.mean):.4f}, seed std "
            f"{100 * table.seed_std():.2f} pt, seed-vs-seed tau {seed_kendall(table.accuracy[both]):.3f}; "
            f"{np.mean(cpu) if cpu else float('nan'):.1f} CPU s per evaluation"
            + "".join(f"; {point}" for point in points))


def main(argv: list[str] | None = None) -> int:
    """Collect (default) or report; returns the exit status."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--archs", type=int, default=704,
                   help="uniform random architectures besides study and runs (704: the committed 1,000 in all)")
    p.add_argument("--seeds", type=int, default=2, help="evaluation seeds per architecture (0..S-1)")
    p.add_argument("--workers", type=int, default=2, help="evaluations in parallel (processes)")
    p.add_argument("--from-run", type=Path, action="append", default=[], metavar="DIR",
                   help="a run folder whose visited architectures are added (repeatable)")
    p.add_argument("--per-run", type=int, default=None, metavar="N",
                   help="of each --from-run folder only the last N distinct architectures it visited (default: all)")
    p.add_argument("--spec", default="default", help="evaluator: a named spec or a JSON object (default: default)")
    p.add_argument("--db", type=Path, default=None, help="cache file (default: $NASGYM_CACHE/surrogate_data.sqlite)")
    p.add_argument("--out", type=Path, default=None, help="data file (default: benchmarks/data/surrogate/FP.csv.gz)")
    p.add_argument("--save-every", type=int, default=20, help="rewrite the data file every N evaluations")
    p.add_argument("--stop-after", type=int, default=None, help="stop after N new evaluations (a chunk of work)")
    p.add_argument("--study", default=str(STUDY_CSV), help="the quality study's rows ('none': without them)")
    p.add_argument("--no-curve", action="store_true", help="do not measure the learning-curve points")
    p.add_argument("--report", action="store_true", help="only print progress and noise figures")
    args = p.parse_args(argv)
    try:
        for name in ("archs", "seeds", "workers", "save_every", "stop_after", "per_run"):
            value, low = getattr(args, name), 0 if name in ("archs", "stop_after") else 1
            if value is not None and value < low:
                raise ValueError(f"--{name.replace('_', '-')}={value} is invalid: expected an int >= {low}")
        spec = parse_spec(args.spec)
        target = make_evaluator(spec)
        fingerprint = target.fingerprint  # the rows' identity: curve points change no result
        steps = getattr(target.config, "steps", None)  # of the learning-curve fractions
        if not args.no_curve:
            spec = with_curve(spec)
            make_evaluator(spec)  # a spec without curve support fails here, in one line
        out = args.out or data_path(fingerprint)
        if args.report:
            print(report(out, steps))
            return 0
        study = None if args.study == "none" else Path(args.study)
        if study is not None and not study.is_file():
            raise ValueError(f"--study {str(study)!r} does not exist: expected the study's CSV or 'none'")
        store = Store(args.db or cache_dir() / "surrogate_data.sqlite", fingerprint)
        runs = [(folder, run_archs(folder, args.per_run)) for folder in args.from_run]
        items = work_list(args.archs, add_visited(visited_path(out), runs), study)
    except (ValueError, json.JSONDecodeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    added = load_committed(store, out, study)
    print(f"evaluator {fingerprint}; loaded {added} committed rows into {store.db}", flush=True)
    store.add_sources(items)
    try:
        collect(spec, store, items, args.seeds, args.workers, out, args.save_every, args.stop_after)
    except KeyboardInterrupt:
        print("stopped; rerun the same command to resume", file=sys.stderr)
        return 130
    print(report(out, steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
