"""``TaskCostModel``: simulated Edge TPU cost of an architecture with a task head at the deployment input.

The network is lowered with :func:`nasgym.lower` for the task's head (segmentation: 1x1 logits conv plus a
depthwise transposed-conv upsampling to the full input size; text: every kxk conv as a kx1 conv over the
sequence, i.e. conv1d lowered as kx1 convs on an (L, 1, C) tensor) and simulated with :func:`nasgym.hw.simulate`.
The host-side embedding lookup of the text head is not an accelerator op and is not counted. Config example:
``{"kind": "task", "task": "segmentation", "hardware": "coral-usb", "input_shape": [512, 512, 3]}``.
"""

from __future__ import annotations

from typing import Any

from nasgym.model.lowering import lower
from nasgym.space.architecture import Architecture
from nasgym.tasks.registry import TaskSpec, get_task

COST_KEYS: tuple[str, ...] = ("kind", "task", "hardware", "input_shape", "num_classes", "overrides")


class TaskCostModel:
    """Cost figures (latency_ms, energy_mj, params, macs, param_bytes, fits_on_chip) of a task network.

    Args:
        task: A registered task name (:func:`nasgym.tasks.task_names`).
        hardware: Preset name, YAML path or :class:`~nasgym.hw.HardwareConfig`.
        input_shape: Deployment input (height, width, channels); default: the task's ``deployment_shape``
            (text: (sequence length, 1, embedding width)).
        num_classes: Output classes of the head; default: the task's.
        **overrides: Hardware fields to change.
    """

    def __init__(
        self, task: str = "segmentation", hardware: Any = "coral-usb", input_shape: Any = None,
        num_classes: int | None = None, **overrides: Any,
    ) -> None:
        from nasgym.hw import load_hardware
        from nasgym.hw.simulator import SIMULATOR_VERSION

        self.spec: TaskSpec = get_task(task)
        shape = self.spec.deployment_shape if input_shape is None else input_shape
        if not isinstance(shape, list | tuple) or len(shape) != 3 or any(
                isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in shape):
            raise ValueError(f"input_shape={input_shape!r} is invalid: expected (height, width, channels) > 0")
        if self.spec.head == "text" and shape[1] != 1:
            raise ValueError(f"input_shape={list(shape)} is invalid for task {task!r}: expected (seq_len, 1, "
                             "embed_dim) (a 1-D network)")
        classes = self.spec.num_classes if num_classes is None else num_classes
        if isinstance(classes, bool) or not isinstance(classes, int) or classes < 1:
            raise ValueError(f"num_classes={num_classes!r} is invalid: expected a positive int")
        self.input_shape: tuple[int, int, int] = tuple(shape)
        self.num_classes = classes
        self.hw = load_hardware(hardware, **overrides)
        self.fingerprint = (f"task-{self.spec.name}:sim{SIMULATOR_VERSION}:{self.hw.name}:{self.hw.content_hash}:"
                            f"{classes}:{'x'.join(map(str, self.input_shape))}")

    def __repr__(self) -> str:
        return f"TaskCostModel({self.fingerprint})"

    def layers(self, arch: Architecture) -> list[dict]:
        """The executed layers of ``arch`` with the task head at the deployment input (JSON layer schema)."""
        if not isinstance(arch, Architecture):
            raise ValueError(f"arch={arch!r:.60} is invalid: expected an Architecture")
        return lower(arch, self.input_shape, self.num_classes, task=self.spec.head)

    def simulate(self, arch: Architecture):
        """The full :class:`~nasgym.hw.SimReport` (per-layer rows)."""
        from nasgym.hw import simulate

        return simulate(self.layers(arch), self.hw)

    def evaluate(self, arch: Architecture) -> dict[str, float]:
        """latency_ms, energy_mj, params, macs, param_bytes and fits_on_chip of ``arch``."""
        return self.simulate(arch).totals()


def make_task_cost_model(spec: dict) -> TaskCostModel:
    """A :class:`TaskCostModel` from ``{"kind": "task", "task": ..., ...}``.

    Raises:
        ValueError: On a non-mapping, a wrong kind or unknown keys (the valid ones are listed).
    """
    if not isinstance(spec, dict) or spec.get("kind") != "task":
        raise ValueError(f"cost model spec={spec!r} is invalid: expected a mapping with kind 'task'")
    unknown = sorted(set(spec) - set(COST_KEYS))
    if unknown:
        raise ValueError(f"cost model spec for kind 'task' has unknown key(s) {unknown}: expected {list(COST_KEYS)}")
    args = {key: value for key, value in spec.items() if key not in ("kind", "overrides")}
    overrides = spec.get("overrides") or {}
    if not isinstance(overrides, dict):
        raise ValueError(f"overrides={overrides!r} is invalid: expected a mapping of hardware fields")
    return TaskCostModel(**args, **overrides)
