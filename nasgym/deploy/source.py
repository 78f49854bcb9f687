"""What to deploy: a run folder, an architecture (string, JSON file, reference name) or a finalized network, and
the task data its quality was measured on.

Commands take one SOURCE argument:

- a **run folder** of ``train.py`` (``run.json`` + ``best.json``): its best architecture, on the task input of the
  run's evaluator (dataset and canvas read from ``run.json``);
- a **finalized folder** (written by ``train.py finalize``: ``final.json``, ``arch.json``, ``weights.pt``): the
  trained network;
- an **architecture**: a one-line string (``in224x224x3|stem:...``), a JSON file (an architecture, or any record
  with an ``arch`` key such as ``best.json``) or a reference name (``mobilenet_v2_1.0``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nasgym.space.architecture import Architecture
from nasgym.space.reference import reference, reference_names

IMAGE_EVALUATORS = ("train", "zero_cost", "supernet")  # evaluator kinds whose task is image classification


@dataclass(frozen=True)
class TaskData:
    """The classification task a network is trained and checked on: a dataset, optionally on canvases."""

    dataset: str = "fashion_mnist"
    canvas: int = 0
    canvas_scale: tuple[float, float] = (1.0, 2.0)
    data_dir: str | None = None

    def load(self) -> Any:
        """The :class:`nasgym.quality.data.Dataset` (placed on canvases when ``canvas`` > 0)."""
        from nasgym.quality.canvas import canvas_dataset
        from nasgym.quality.data import load_dataset

        data = load_dataset(self.dataset, self.data_dir)
        return canvas_dataset(data, self.canvas, tuple(self.canvas_scale)) if self.canvas else data

    def to_dict(self) -> dict:
        """Plain JSON data (``final.json``)."""
        return {"dataset": self.dataset, "canvas": self.canvas, "canvas_scale": list(self.canvas_scale),
                "data_dir": self.data_dir}

    @classmethod
    def from_evaluator(cls, spec: Any, where: str) -> TaskData:
        """The task of an evaluator spec (a dict or a named spec such as ``"default"``).

        Raises:
            ValueError: If the evaluator is not an image-classification one (segmentation / text tasks).
        """
        from nasgym.quality.named_specs import resolve_spec

        spec = resolve_spec(spec)
        kind = spec.get("kind") if isinstance(spec, dict) else None
        if kind not in IMAGE_EVALUATORS:
            task = spec.get("task") if isinstance(spec, dict) else None
            raise ValueError(f"{where}: evaluator kind={kind!r}{f' (task {task!r})' if task else ''} is unsupported "
                             f"here: expected an image-classification evaluator ({', '.join(IMAGE_EVALUATORS)})")
        return cls(dataset=spec.get("dataset", "fashion_mnist"), canvas=int(spec.get("canvas", 0) or 0),
                   canvas_scale=tuple(spec.get("canvas_scale", (1.0, 2.0))), data_dir=spec.get("data_dir"))


@dataclass(frozen=True)
class Source:
    """A resolved SOURCE argument.

    Attributes:
        arch: The searched (deployment) architecture.
        kind: ``"run"``, ``"final"`` or ``"arch"``.
        path: The run or finalized folder (``None`` for an architecture).
        run: ``run.json`` of the run folder (``{}`` otherwise).
        final: ``final.json`` of a finalized folder (``{}`` otherwise).
    """

    arch: Architecture
    kind: str
    path: Path | None = None
    run: dict = field(default_factory=dict)
    final: dict = field(default_factory=dict)

    @property
    def env(self) -> dict:
        """The env definition the run used (``run.json``'s ``env``; ``{}`` without a run)."""
        env = self.run.get("env") or self.final.get("env") or {}
        return env if isinstance(env, dict) else {}

    def task(self, default: TaskData | None = None) -> TaskData:
        """The task data: a finalized network's, else the run evaluator's, else ``default`` (Fashion-MNIST)."""
        if self.final.get("task"):
            t = self.final["task"]
            return TaskData(t["dataset"], int(t["canvas"]), tuple(t["canvas_scale"]), t.get("data_dir"))
        if self.env.get("evaluator") is not None:
            return TaskData.from_evaluator(self.env["evaluator"], f"run folder {str(self.path)!r}")
        return default or TaskData()


def read_json(path: Path, what: str) -> dict:
    """A JSON object from ``path``; ``ValueError`` naming the file and what was expected."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"{what} {str(path)!r} does not exist") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{what} {str(path)!r} is not valid JSON ({err}): expected a JSON object") from None
    if not isinstance(data, dict):
        raise ValueError(f"{what} {str(path)!r} holds a {type(data).__name__}: expected a JSON object")
    return data


def load_architecture_file(path: Path) -> Architecture:
    """An architecture JSON file, or a record (``best.json``, ``final.json``) whose ``arch`` key holds one."""
    data = read_json(path, "architecture file")
    if "stages" not in data and isinstance(data.get("arch"), dict):
        data = data["arch"]
    try:
        return Architecture.from_dict(data)
    except ValueError as err:
        raise ValueError(f"architecture file {str(path)!r} is invalid: {err}") from None


def resolve(text: str | Path) -> Source:
    """Resolve a SOURCE argument (see the module docstring).

    Raises:
        ValueError: One line naming the argument and the accepted forms.
    """
    value = str(text)
    path = Path(value).expanduser()
    if path.is_dir():
        if (path / "final.json").is_file():
            final = read_json(path / "final.json", "finalized record")
            return Source(load_architecture_file(path / "final.json"), "final", path, final=final)
        if (path / "run.json").is_file():
            if not (path / "best.json").is_file():
                raise ValueError(f"run folder {value!r} has no best.json: expected a run with at least one "
                                 "evaluation (rerun its train.py command to continue it)")
            run = read_json(path / "run.json", "run record")
            return Source(load_architecture_file(path / "best.json"), "run", path, run=run)
        raise ValueError(f"folder {value!r} is neither a run folder (run.json + best.json) nor a finalized network "
                         "(final.json): expected a train.py --logdir, a finalize output or an architecture")
    if path.is_file() or value.endswith(".json"):
        return Source(load_architecture_file(path), "arch")
    if value in reference_names():
        return Source(reference(value), "arch")
    if "|" in value:
        return Source(Architecture.parse(value), "arch")
    raise ValueError(f"source {value!r} is invalid: expected a run folder, a finalized folder, an architecture "
                     f"string (in224x224x3|stem:...|top:o1280), an architecture JSON file or a reference name "
                     f"({', '.join(reference_names())})")
