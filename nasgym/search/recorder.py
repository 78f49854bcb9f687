"""The search recorder, one for every agent: each evaluated architecture to CSV and TensorBoard, the Pareto front
(accuracy up, latency down), its hypervolume (:mod:`nasgym.pareto`) and the best architecture.

:class:`SearchLogger` takes the ``info`` of each finished episode (what :class:`~nasgym.env.NasEnv` returns on the
last step) and knows nothing about the agent. Files in ``logdir``:

- ``evaluations.csv``: one row per evaluation (appended and flushed as it comes);
- ``pareto.csv`` and ``best.json``: rewritten (temp file + rename) whenever they change (``best.json`` loads with
  ``Architecture.from_json`` as written);
- ``pareto.png``: the Pareto plot (see :meth:`SearchLogger.figure`), written on :meth:`SearchLogger.close`;
- TensorBoard events, x-axis = evaluation number: scalars ``nas/reward``, ``nas/accuracy``, ``nas/latency_ms``,
  ``nas/energy_mj``, ``nas/best_reward``, ``nas/hypervolume``; the image ``nas/pareto_front`` (accuracy vs latency,
  reference nets marked); the text ``nas/best_architecture``; and the run's hparams on :meth:`SearchLogger.close`.

A logger opened on an existing ``logdir`` rebuilds it from ``evaluations.csv`` (:mod:`nasgym.evaluation_log`): the
log is repaired in place (header, cut-off last line, corrupt rows reported by file and line, numbering 1..n) and
``best.json`` / ``pareto.csv`` are rewritten from the reloaded rows. :meth:`SearchLogger.begin_replay` supports runs
that resume from an earlier state and re-derive the last evaluations: rows on file that the run reproduces are
re-admitted without being written or counted twice; at the first difference the log is cut there.
"""

from __future__ import annotations

import csv
import json
import logging
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym

from nasgym.evaluation_log import CSV_FIELDS, read_log, write_log
from nasgym.files import atomic_path, atomic_write_text
from nasgym.pareto import hypervolume, pareto_front

_log = logging.getLogger(__name__)


class SearchLogger:
    """Records finished episodes (see the module docstring).

    Args:
        logdir: Output folder (created).
        reference_latency_ms: Latency of the hypervolume reference point (e.g. twice the reward's target).
        reference_points: Reference nets to mark: dicts with ``name``, ``latency_ms`` and optionally ``accuracy``.
        tensorboard: Write TensorBoard events.
        image_every: Redraw the Pareto image every this many evaluations (and on close).
        target_latency_ms: The reward's latency target, drawn in the Pareto plot.
        quality_label: Name of the quality metric on the plot's y axis (see :func:`quality_label`).
    """

    def __init__(self, logdir: str | Path, reference_latency_ms: float, reference_points: Sequence[dict] = (),
                 tensorboard: bool = True, image_every: int = 50, target_latency_ms: float | None = None,
                 quality_label: str = "accuracy") -> None:
        if not reference_latency_ms > 0:
            raise ValueError(f"reference_latency_ms={reference_latency_ms!r} is invalid: expected a positive number")
        self.logdir = Path(logdir)
        self.logdir.mkdir(parents=True, exist_ok=True)
        self.reference_latency_ms = float(reference_latency_ms)
        self.reference_points = [dict(p) for p in reference_points]
        self.target_latency_ms = target_latency_ms
        self.quality_label = quality_label
        self.image_every = image_every
        self.csv_path = self.logdir / "evaluations.csv"
        self.rows: list[dict] = self._load()
        self._pending: list[dict] = []  # rows on file that a resumed run is expected to reproduce (begin_replay)
        self._rebuild_summary()
        self._write_summary_files()
        self._start = time.monotonic() - (self.rows[-1]["wall_s"] if self.rows else 0.0)
        self._open_csv()
        self._writer: Any = None
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self._writer = SummaryWriter(str(self.logdir))
        self._closed = False

    @property
    def n_evaluations(self) -> int:
        """Evaluations recorded so far (earlier runs in the same logdir included)."""
        return len(self.rows)

    def _load(self) -> list[dict]:
        """Rows of ``evaluations.csv``, repairing the file when needed (warns once, naming the bad lines)."""
        contents = read_log(self.csv_path)
        if contents.needs_rewrite or not self.csv_path.exists():
            if contents.needs_rewrite and self.csv_path.exists():
                _log.warning(contents.summary(self.csv_path))
            write_log(self.csv_path, contents.rows)
        return contents.rows

    def _open_csv(self) -> None:
        self._csv_file = open(self.csv_path, "a", newline="")  # noqa: SIM115
        self._csv = csv.DictWriter(self._csv_file, CSV_FIELDS, extrasaction="ignore")

    def _rebuild_summary(self) -> None:
        """Front, hypervolume and best row from ``self.rows``."""
        self.front = pareto_front(self.rows)
        self.best: dict | None = max(self.rows, key=lambda r: r["reward"], default=None)
        self.hv = hypervolume([(r["accuracy"], r["latency_ms"]) for r in self.front], self.reference_latency_ms)

    def _write_summary_files(self) -> None:
        """``best.json`` and ``pareto.csv`` from the current rows (removed while there are none)."""
        if self.best is None:
            for name in ("best.json", "pareto.csv"):
                (self.logdir / name).unlink(missing_ok=True)
            return
        self._write_best()
        self._write_pareto()

    def begin_replay(self, keep: int) -> None:
        """Keep the first ``keep`` rows; the rows after them stay on file and are re-admitted by :meth:`record` as
        long as the run reproduces them (same architecture and evaluation seed, in order), without being counted
        twice. At the first difference the file is cut to the rows admitted so far (a warning names the place).

        Raises:
            ValueError: If ``keep`` is larger than the number of rows.
        """
        if not 0 <= keep <= len(self.rows) + len(self._pending):
            raise ValueError(f"keep={keep} is invalid: expected 0..{len(self.rows) + len(self._pending)}")
        everything = self.rows + self._pending
        self.rows, self._pending = everything[:keep], everything[keep:]
        self._rebuild_summary()

    @property
    def replaying(self) -> int:
        """Rows on file not yet re-admitted by a resumed run (see :meth:`begin_replay`)."""
        return len(self._pending)

    def _readmit(self, info: dict) -> dict | None:
        """The next pending row if ``info`` reproduces it; else cut the log here and return ``None``."""
        expected = self._pending[0]
        if (info.get("arch_hash") == expected["arch_hash"]
                and str(info.get("eval_seed", "")) == str(expected["eval_seed"])):
            self._pending.pop(0)
            self.rows.append(expected)
            if self._update_front(expected) or self.best is None or expected["reward"] > self.best["reward"]:
                self.best = max(self.rows, key=lambda r: r["reward"])
            return expected
        self.end_replay()
        return None

    def end_replay(self) -> None:
        """Cut the log after the rows re-admitted so far (the resumed run differs from the log here)."""
        if not self._pending:
            return
        _log.warning(f"{self.csv_path}: the resumed run differs from the log at evaluation {len(self.rows) + 1}; "
                     f"the {len(self._pending)} later row(s) are replaced by the run's own")
        self._pending = []
        self._csv_file.close()
        write_log(self.csv_path, self.rows)
        self._open_csv()
        self._write_summary_files()

    def record(self, info: dict) -> dict:
        """Log one finished episode's ``info``; returns the CSV row."""
        if self._pending:
            row = self._readmit(info)
            if row is not None:
                return row
        row = {key: info.get(key, "") for key in CSV_FIELDS}
        row["evaluation"] = len(self.rows) + 1
        row["wall_s"] = round(time.monotonic() - self._start, 3)
        for key in ("reward", "accuracy", "latency_ms", "energy_mj", "params", "macs", "eval_seconds"):
            row[key] = float(info.get(key, math.nan))
        row["cache_hit"] = bool(info.get("cache_hit", False))
        try:
            self._csv.writerow(row)
            self._csv_file.flush()
        except OSError as err:  # disk full: name the file (the row is cut; the next start repairs the log)
            raise OSError(err.errno, err.strerror, str(self.csv_path)) from None
        self.rows.append(row)
        changed_front = self._update_front(row)
        if self.best is None or row["reward"] > self.best["reward"]:
            self.best = row
            self._write_best()
            if self._writer is not None:
                self._writer.add_text("nas/best_architecture", _best_text(row), row["evaluation"])
        if changed_front:
            self._write_pareto()
        if self._writer is not None:
            n = row["evaluation"]
            for tag in ("reward", "accuracy", "latency_ms", "energy_mj"):
                self._writer.add_scalar(f"nas/{tag}", row[tag], n)
            self._writer.add_scalar("nas/best_reward", self.best["reward"], n)
            self._writer.add_scalar("nas/hypervolume", self.hv, n)
            if self.image_every and n % self.image_every == 0:
                self._writer.add_figure("nas/pareto_front", self.figure(), n)
        return row

    def _update_front(self, row: dict) -> bool:
        if not (math.isfinite(row["accuracy"]) and math.isfinite(row["latency_ms"])):
            return False
        if any(p["accuracy"] >= row["accuracy"] and p["latency_ms"] <= row["latency_ms"] for p in self.front):
            return False
        self.front = pareto_front([*self.front, row])
        self.hv = hypervolume([(r["accuracy"], r["latency_ms"]) for r in self.front], self.reference_latency_ms)
        return True

    def _write_best(self) -> None:
        best = {key: self.best[key] for key in CSV_FIELDS if key != "arch"}
        best["arch"] = json.loads(self.best["arch"]) if self.best["arch"] else None
        atomic_write_text(self.logdir / "best.json", json.dumps(best, indent=2) + "\n")

    def _write_pareto(self) -> None:
        write_log(self.logdir / "pareto.csv", self.front, durable=False)

    def figure(self) -> Any:
        """Matplotlib figure: every evaluation, the Pareto front, the latency target and the reference nets.

        The x range is fitted to the candidates (and the target); reference nets are numbered markers (on their
        accuracy when known, else a tick on the top edge, or an arrow on the edge for those outside the range)
        with their names listed once below the plot, so labels never overlap.
        """
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        refs = sorted(self.reference_points, key=lambda p: p["latency_ms"])
        fig, ax = plt.subplots(figsize=(7, 5.2), dpi=110)
        ok = [r for r in self.rows if math.isfinite(r["accuracy"]) and math.isfinite(r["latency_ms"])]
        xs = [r["latency_ms"] for r in ok] + ([self.target_latency_ms] if self.target_latency_ms else [])
        if not xs:
            xs = [p["latency_ms"] for p in refs] or [0.0, 1.0]
        low, high = min(xs), max(xs)
        pad = 0.08 * (high - low) if high > low else 0.1 * max(high, 1e-3)
        x0, x1 = max(0.0, low - pad), high + pad
        ax.scatter([r["latency_ms"] for r in ok], [r["accuracy"] for r in ok], s=9, c="0.65",
                   label=f"evaluated ({len(ok)})")
        ax.plot([r["latency_ms"] for r in self.front], [r["accuracy"] for r in self.front], "o-", c="tab:red",
                ms=4, label="Pareto front")
        if self.target_latency_ms:
            ax.axvline(self.target_latency_ms, ls="--", c="tab:blue", lw=1,
                       label=f"target {self.target_latency_ms:g} ms")
        keys, beyond = [], {"<": [], ">": []}
        for number, point in enumerate(refs, 1):
            lat, acc = point["latency_ms"], point.get("accuracy")
            keys.append(f"{number} {point['name']} ({lat:.3g} ms" + (f", {acc:.3f})" if acc is not None else ")"))
            if not x0 <= lat <= x1:
                beyond[">" if lat > x1 else "<"].append(number)
            elif acc is not None:
                ax.scatter([lat], [acc], marker="*", s=90, c="k", zorder=3)
                ax.annotate(str(number), (lat, acc), xytext=(4, 4), textcoords="offset points", fontsize=8)
            else:  # latency only: a tick on the top edge, numbers staggered so close ones do not overlap
                ax.plot([lat], [1.0], marker="v", c="k", ms=5, transform=ax.get_xaxis_transform(), clip_on=False)
                ax.annotate(str(number), (lat, 1.0), xycoords=("data", "axes fraction"), fontsize=7, ha="center",
                            xytext=(0, -12 - 9 * ((number - 1) % 3)), textcoords="offset points")
        for side, numbers in beyond.items():
            if numbers:  # references outside the fitted range: one arrow per side
                span = str(numbers[0]) if len(numbers) == 1 else f"{numbers[0]}-{numbers[-1]}"
                ax.annotate(f"refs {span} {'→' if side == '>' else '←'}", (1.0 if side == ">" else 0.0, 0.97),
                            xycoords="axes fraction", ha="right" if side == ">" else "left", va="top", fontsize=8,
                            bbox={"boxstyle": "round", "fc": "white", "ec": "0.6"})
        ax.set_xlim(x0, x1)
        ax.set_xlabel("simulated latency (ms)")
        ax.set_ylabel(self.quality_label)
        ax.set_title(f"{len(ok)} architectures, hypervolume {self.hv:.4f}", fontsize=9)
        ax.legend(loc="lower right", fontsize=8)
        if keys:
            fig.text(0.01, 0.01, "reference nets: " + "; ".join(keys), fontsize=7, wrap=True, va="bottom")
            fig.tight_layout(rect=(0, 0.06 + 0.025 * (len(keys) // 4), 1, 1))
        else:
            fig.tight_layout()
        return fig

    def write_plot(self) -> Path | None:
        """Write the figure to ``pareto.png`` in the log folder (atomically); ``None`` while nothing is logged."""
        if not self.rows:
            return None
        import matplotlib.pyplot as plt

        path = self.logdir / "pareto.png"
        fig = self.figure()
        try:
            with atomic_path(path) as tmp:
                fig.savefig(tmp, format="png")
        finally:
            plt.close(fig)
        return path

    def close(self, hparams: dict | None = None) -> None:
        """Write the final image and hparams, close the files; safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        if self._pending:  # stopped while re-deriving: the summary files cover every row on file
            self.rows, self._pending = self.rows + self._pending, []
            self._rebuild_summary()
            self._write_summary_files()
        self.write_plot()
        if self._writer is not None:
            if self.rows:
                self._writer.add_figure("nas/pareto_front", self.figure(), len(self.rows))
            if hparams:
                metrics = {"hparam/best_reward": self.best["reward"] if self.best else math.nan,
                           "hparam/hypervolume": self.hv, "hparam/evaluations": float(len(self.rows))}
                clean = {k: v if isinstance(v, int | float | str | bool) else str(v) for k, v in hparams.items()}
                self._writer.add_hparams(clean, metrics, run_name=".")
            self._writer.close()
        try:
            self._csv_file.close()
        except OSError as err:  # the buffered end of a row could not be written (disk full)
            raise OSError(err.errno, err.strerror, str(self.csv_path)) from None


class EpisodeLogger(gym.Wrapper):
    """Gymnasium wrapper that hands each finished episode's ``info`` to a :class:`SearchLogger`."""

    def __init__(self, env: gym.Env, logger: SearchLogger) -> None:
        super().__init__(env)
        self.search_logger = logger

    def step(self, action: Any) -> tuple:
        obs, reward, terminated, truncated, info = self.env.step(action)
        if terminated and "arch" in info:
            self.search_logger.record(info)
        return obs, reward, terminated, truncated, info


def quality_label(evaluator: Any) -> str:
    """The y-axis name of a run's quality metric, from its evaluator spec (a dict or a named spec)."""
    from nasgym.quality.named_specs import resolve_spec

    try:
        spec = resolve_spec(evaluator)
    except ValueError:
        return "accuracy"
    kind = spec.get("kind") if isinstance(spec, dict) else None
    if kind == "zero_cost":
        return {"naswot": "NASWOT score", "synflow": "SynFlow score"}.get(spec.get("proxy", "naswot"), "score") \
            + " (mapped to [0, 1])"
    if kind == "supernet":
        return "validation accuracy (supernet weights)"
    if kind in ("train", "task"):  # the task's metric (default task: the evaluator kind's)
        from nasgym.quality.factory import EVALUATORS
        from nasgym.tasks.registry import TASK_REGISTRY

        name = spec.get("task", getattr(EVALUATORS.get(kind), "default_task", None))
        if name in TASK_REGISTRY and TASK_REGISTRY[name].metric == "miou":
            return "mean IoU (validation)"
        if spec.get("calibration"):
            return "predicted reference accuracy (short proxy training calibrated by size)"
        return "validation accuracy (short proxy training)"
    return "accuracy"


def _best_text(row: dict) -> str:
    return (f"evaluation {row['evaluation']}: reward {row['reward']:.4f}, accuracy {row['accuracy']:.4f}, "
            f"latency {row['latency_ms']:.3f} ms\n\n    {row['arch_string']}")


__all__ = ["CSV_FIELDS", "EpisodeLogger", "SearchLogger", "quality_label"]
