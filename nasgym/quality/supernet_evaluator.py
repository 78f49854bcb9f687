"""``supernet``: weight-sharing evaluation (see :mod:`nasgym.quality.supernet` for the sharing scheme).

Warm-up: ``warmup_steps`` SGD steps of the shared trainer (:func:`nasgym.quality.training.train_step`: cosine LR,
label smoothing, divergence check), each on one path sampled from the space (``space.sample``: every decision uniform
over its valid choices, as in TuNAS). The supernet is checkpointed to ``cache_dir``
(default ``$NASGYM_CACHE`` or ``~/.cache/nasgym``) every ``checkpoint_every`` steps and at the end, written to a temp
name and renamed; a later run (or another process) with the same fingerprint loads it, and an interrupted warm-up
resumes exactly from its last checkpoint (path, batch and dropout of a step are functions of the step).

Evaluating an architecture: extract its path as a standalone network, optionally ``finetune_steps`` training steps on
it, recompute BN statistics over ``bn_images`` training images, and score accuracy on the first ``val_images``
validation images (a fixed subset). ``seed`` picks the fine-tuning and recalibration batches.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import torch

from nasgym.files import cache_dir as default_cache_dir  # $NASGYM_CACHE or ~/.cache/nasgym (benchmarks import it here)
from nasgym.quality.base import ConfiguredEvaluator, Stopwatch, failed_metrics
from nasgym.quality.config import boolean, number_in, one_of, optional_str, positive_int
from nasgym.quality.data import DATASETS, Dataset, load_dataset
from nasgym.quality.device import dataset_to, device_check, resolve_device
from nasgym.quality.proxy import proxy_architecture
from nasgym.quality.supernet import Supernet
from nasgym.quality.training import (
    Diverged,
    TrainSettings,
    accuracy,
    derive_seed,
    fixed_threads_and_seed,
    make_optimizer,
    recalibrate_bn,
    train,
    train_step,
    training_batch,
)
from nasgym.space.architecture import Architecture
from nasgym.space.loading import load_space
from nasgym.space.search_space import SearchSpace


@dataclass(frozen=True)
class SupernetConfig:
    """Config of the ``supernet`` evaluator."""

    space: str = "proxy"
    dataset: str = "fashion_mnist"
    data_dir: str | None = None
    cache_dir: str | None = None
    warmup_steps: int = 1000  # 128k images, ~2.5 epochs of sampled paths: sized for 2 shared CPU cores
    batch_size: int = 128
    lr: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 5e-5
    label_smoothing: float = 0.1
    train_seed: int = 0
    finetune_steps: int = 0
    finetune_lr: float = 0.01
    bn_images: int = 512
    val_images: int = 1000
    channels_last: bool = True
    threads: int = 1
    checkpoint_every: int = 250
    device: str = "auto"  # not in the fingerprint (see nasgym.quality.device)


SUPERNET_CHECKS = {
    "space": (lambda v: isinstance(v, str) and v != "", "a space name or YAML path"),
    "dataset": one_of(*DATASETS),
    "data_dir": optional_str(),
    "cache_dir": optional_str(),
    "warmup_steps": positive_int(0),
    "batch_size": positive_int(1),
    "lr": number_in(0.0, 1e12, low_open=True),
    "momentum": number_in(0.0, 0.999),
    "weight_decay": number_in(0.0, 1.0),
    "label_smoothing": number_in(0.0, 0.99),
    "train_seed": positive_int(0),
    "finetune_steps": positive_int(0),
    "finetune_lr": number_in(0.0, 1e12, low_open=True),
    "bn_images": positive_int(0),
    "val_images": positive_int(0),
    "channels_last": boolean(),
    "threads": positive_int(1),
    "checkpoint_every": positive_int(1),
    "device": device_check(),
}


def _load_weights(path: Path) -> dict:
    """A checkpoint written by :func:`_save_atomic`, loaded with ``weights_only=True``: tensors and plain data only,
    so a file planted in the cache folder cannot run code. Anything else is a one-line ``ValueError``."""
    try:
        state = torch.load(path, weights_only=True, map_location="cpu")
    except Exception as err:  # noqa: BLE001 - torch raises UnpicklingError, RuntimeError, EOFError, ...
        reason = " ".join(str(err).split())[:160]
        raise ValueError(f"supernet checkpoint {str(path)!r} is not a plain weights file ({type(err).__name__}: "
                         f"{reason}): delete it to warm the supernet up again") from None
    if not isinstance(state, dict) or not {"supernet", "optimizer", "step", "warmup_times"} <= set(state):
        raise ValueError(f"supernet checkpoint {str(path)!r} lacks supernet/optimizer/step/warmup_times: delete it "
                         "to warm the supernet up again")
    return state


def _save_atomic(payload: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)


class SupernetEvaluator(ConfiguredEvaluator):
    """Weight-sharing evaluator (see module docstring). Constructing it is cheap; the supernet loads lazily.
    Constructed from a :class:`SupernetConfig` or its fields (see :class:`~nasgym.quality.base.ConfiguredEvaluator`).
    """

    kind = "supernet"
    config_class = SupernetConfig
    checks = SUPERNET_CHECKS
    fingerprint_exclude = ("data_dir", "cache_dir", "checkpoint_every", "threads", "device")
    VERSION = 1  # of the results (in the fingerprint)
    config: SupernetConfig

    def __init__(self, config: SupernetConfig | None = None, **fields: object) -> None:
        super().__init__(config, **fields)
        self._space: SearchSpace | None = None
        self._dataset: Dataset | None = None
        self._supernet: Supernet | None = None
        self.device: torch.device | None = None  # resolved by warm_up
        self.warmup_times: dict[str, float] = {}

    @property
    def checkpoint_path(self) -> Path:
        """Where the warmed-up supernet is stored."""
        base = Path(self.config.cache_dir) if self.config.cache_dir else default_cache_dir()
        return base / f"supernet-{self.fingerprint}.pt"

    @property
    def space(self) -> SearchSpace:
        """The search space (loaded on first use)."""
        if self._space is None:
            self._space = load_space(self.config.space)
        return self._space

    def _proxy_space_arch(self, arch: Architecture, dataset: Dataset) -> Architecture:
        return proxy_architecture(arch, dataset.input_shape)

    def warm_up(self) -> Supernet:
        """Load the checkpointed supernet, or train it (resuming an interrupted warm-up) and checkpoint it.

        ``warmup_times`` then holds the wall and CPU seconds the whole warm-up took (across resumptions).
        """
        if self._supernet is not None:
            return self._supernet
        c = self.config
        self.device = resolve_device(c.device)
        dataset = self._dataset = dataset_to(load_dataset(c.dataset, c.data_dir), self.device)
        with fixed_threads_and_seed(c.threads, derive_seed(c.train_seed, 1)):
            # initialized on the CPU: the same weights on every device
            net = Supernet(self.space, dataset.num_classes, dataset.input_shape[2]).to(self.device)
        settings = TrainSettings(steps=c.warmup_steps, batch_size=c.batch_size, lr=c.lr, momentum=c.momentum,
                                 weight_decay=c.weight_decay, label_smoothing=c.label_smoothing,
                                 warmup_steps=min(100, c.warmup_steps // 10), divergence_loss=1e3,
                                 channels_last=False)
        optimizer = make_optimizer(list(net.parameters()), settings)
        step, self.warmup_times = 0, {"eval_seconds": 0.0, "cpu_seconds": 0.0}
        if self.checkpoint_path.is_file():
            state = _load_weights(self.checkpoint_path)
            net.load_state_dict(state["supernet"])
            optimizer.load_state_dict(state["optimizer"])
            step, self.warmup_times = state["step"], state["warmup_times"]
        if step < c.warmup_steps:
            self._train(net, optimizer, settings, step)
        self._supernet = net.eval()
        return net

    def _batch(self, step: int) -> torch.Tensor:
        """Indices of warm-up step ``step``: shuffled epochs, a function of the step so resumption is exact."""
        c, n = self.config, len(self._dataset.x_train)
        per_epoch = max(1, n // c.batch_size)
        epoch, position = divmod(step, per_epoch)
        if getattr(self, "_epoch", (None,))[0] != epoch:
            generator = torch.Generator().manual_seed(derive_seed(c.train_seed, 2, epoch))
            self._epoch = (epoch, torch.randperm(n, generator=generator))
        return self._epoch[1][position * c.batch_size:(position + 1) * c.batch_size]

    def _train(self, net: Supernet, optimizer: torch.optim.Optimizer, settings: TrainSettings, step: int) -> None:
        """Warm-up steps ``step`` .. ``warmup_steps`` - 1 (the shared :func:`train_step`, each on its sampled path),
        checkpointed every ``checkpoint_every`` steps and at the end."""
        c, dataset = self.config, self._dataset
        watch, spent = Stopwatch(), dict(self.warmup_times)
        with fixed_threads_and_seed(c.threads, derive_seed(c.train_seed, 4)):
            net.train()
            while step < c.warmup_steps:
                # Path, batch and dropout are functions of the step: a resumed warm-up is exact.
                torch.manual_seed(derive_seed(c.train_seed, 4, step))
                arch = self.space.sample(np.random.default_rng(derive_seed(c.train_seed, 3, step)))
                path = self._proxy_space_arch(arch, dataset)
                x, y = training_batch(dataset, self._batch(step), settings.channels_last)
                train_step(partial(net, arch=path), optimizer, x, y, step, settings)
                step += 1
                if step % c.checkpoint_every == 0 or step == c.warmup_steps:
                    self.warmup_times = {k: spent[k] + v for k, v in watch.times().items()}
                    _save_atomic({"supernet": net.state_dict(), "optimizer": optimizer.state_dict(),
                                  "step": step, "fingerprint": self.fingerprint,
                                  "warmup_times": self.warmup_times}, self.checkpoint_path)

    def evaluate(self, arch: Architecture, seed: int) -> dict:
        """Accuracy of ``arch``'s path with inherited weights; never raises for a diverging net.

        Raises:
            ValueError: If ``arch`` is not a member of the supernet's space.
        """
        if not self.space.contains(arch):
            raise ValueError(f"architecture {arch.hash} is not in space {self.config.space!r}: expected a member")
        net = self.warm_up()
        watch = Stopwatch()
        c, dataset = self.config, self._dataset
        run_seed = derive_seed(seed, 5)
        try:
            with fixed_threads_and_seed(c.threads, run_seed):
                model = net.extract(self._proxy_space_arch(arch, dataset))
                if c.channels_last:
                    model = model.to(memory_format=torch.channels_last)
                generator = torch.Generator().manual_seed(run_seed)
                if c.finetune_steps:
                    train(model, dataset, TrainSettings(
                        steps=c.finetune_steps, batch_size=c.batch_size, lr=c.finetune_lr, momentum=c.momentum,
                        weight_decay=c.weight_decay, label_smoothing=c.label_smoothing,
                        channels_last=c.channels_last), generator)
                recalibrate_bn(model, dataset, c.bn_images, min(256, max(1, c.bn_images)), generator,
                               c.channels_last)
                acc = accuracy(model, dataset, c.val_images, c.channels_last)
        except Diverged as error:
            times = watch.times()
            return failed_metrics(str(error), times.pop("eval_seconds"), **times)
        return {"accuracy": acc, "device": str(self.device), **watch.times()}
