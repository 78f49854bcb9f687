"""``zero_cost``: published training-free proxies on a fixed minibatch.

- ``synflow`` (Tanaka et al., NeurIPS 2020; as a NAS proxy, Abdelfattah et al., ICLR 2021): all weights replaced by
  their absolute values, BN as identity (fresh running statistics, eval mode), an all-ones float64 input; the score
  is ``sum |theta * dR/dtheta|`` of ``R = sum(output)``. Reported as ``log(score)`` (it spans many decades).
- ``naswot`` (Mellor et al., ICML 2021): the binary ReLU activation codes ``c_i`` of the minibatch images (train
  mode, batch statistics); ``K[i, j]`` = number of units where ``c_i`` and ``c_j`` agree; the score is
  ``log|det K|``.

Both use the proxy network (:mod:`nasgym.quality.proxy`) initialized from ``seed``; the minibatch is fixed (the same
``batch_size`` training images for every architecture and seed). The evaluator returns every proxy's raw score
(``score_synflow``, ``score_naswot``) and maps the selected ``proxy`` (or ``combined``, the sum of both
standardized scores) into ``accuracy`` with a fixed logistic ``1 / (1 + exp(-(s - center) / scale))`` whose
``center``/``scale`` (see :data:`SCORE_SCALES`) are the median and interquartile range of each score over 64 random
architectures of the ``proxy`` space on Fashion-MNIST with ``batch_size`` 64. The map is monotone, so rankings are
the raw score's; the number is a score in [0, 1], not a predicted accuracy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from nasgym.quality.base import ConfiguredEvaluator, Stopwatch, failed_metrics
from nasgym.quality.config import number_in, one_of, optional_str, positive_int
from nasgym.quality.data import DATASETS, Dataset, load_dataset
from nasgym.quality.device import device_check, resolve_device
from nasgym.quality.proxy import build_proxy_model
from nasgym.quality.training import fixed_threads_and_seed, to_input
from nasgym.space.architecture import Architecture

PROXIES: tuple[str, ...] = ("naswot", "synflow", "combined")
MINIBATCH_SEED = 7
# (center, scale) of each raw score: median and interquartile range over 64 random proxy-space archs (see docstring).
SCORE_SCALES: dict[str, tuple[float, float]] = {
    "naswot": (624.0, 28.0),
    "synflow": (29.5, 3.1),
}


@dataclass(frozen=True)
class ZeroCostConfig:
    """Config of the ``zero_cost`` evaluator."""

    dataset: str = "fashion_mnist"
    data_dir: str | None = None
    proxy: str = "naswot"
    batch_size: int = 64
    width_multiplier: float = 1.0
    threads: int = 1
    device: str = "auto"  # not in the fingerprint (see nasgym.quality.device)


ZERO_COST_CHECKS = {
    "dataset": one_of(*DATASETS),
    "data_dir": optional_str(),
    "proxy": one_of(*PROXIES),
    "batch_size": positive_int(2),
    "width_multiplier": number_in(0.0, 16.0, low_open=True),
    "threads": positive_int(1),
    "device": device_check(),
}


def fixed_minibatch(dataset: Dataset, batch_size: int) -> torch.Tensor:
    """The same ``batch_size`` training images (uint8) for every architecture and seed."""
    generator = torch.Generator().manual_seed(MINIBATCH_SEED)
    idx = torch.randperm(len(dataset.x_train), generator=generator)[:batch_size]
    return dataset.x_train[idx]


def synflow(model: nn.Module, input_shape: tuple[int, int, int]) -> float:
    """log of the SynFlow score of ``model`` (modified in place: weights made absolute, float64)."""
    model = model.double().eval()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                module.reset_running_stats()
        for param in model.parameters():
            param.abs_()
    h, w, c = input_shape
    model.zero_grad(set_to_none=True)
    device = next(model.parameters()).device
    model(torch.ones(1, c, h, w, dtype=torch.float64, device=device)).sum().backward()
    total = sum(float((p.detach() * p.grad).abs().sum()) for p in model.parameters() if p.grad is not None)
    return math.log(total) if total > 0 else float("-inf")


@torch.no_grad()
def naswot(model: nn.Module, images: torch.Tensor) -> float:
    """log|det K| of the ReLU-code agreement kernel of ``images`` (Mellor et al. 2021)."""
    codes: list[torch.Tensor] = []

    def hook(_module: nn.Module, _inputs: tuple, output: torch.Tensor) -> None:
        codes.append((output.detach().flatten(1) > 0).double())

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.ReLU)]
    try:
        model.train()
        model(images)
    finally:
        for handle in handles:
            handle.remove()
    c = torch.cat(codes, dim=1)
    kernel = c @ c.T + (1.0 - c) @ (1.0 - c).T
    sign, logdet = torch.linalg.slogdet(kernel)
    return float(logdet) if float(sign) > 0 else float("-inf")


def squash(score: float, center: float, scale: float) -> float:
    """The fixed logistic map of a raw score into [0, 1]."""
    z = (score - center) / scale
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


class ZeroCostEvaluator(ConfiguredEvaluator):
    """Training-free proxies (see module docstring); deterministic for a given (arch, seed). Cheap to construct.
    Constructed from a :class:`ZeroCostConfig` or its fields (see :class:`~nasgym.quality.base.ConfiguredEvaluator`).
    """

    kind = "zero_cost"
    config_class = ZeroCostConfig
    checks = ZERO_COST_CHECKS
    fingerprint_exclude = ("data_dir", "device")
    VERSION = 1  # of the results (in the fingerprint)
    config: ZeroCostConfig

    def evaluate(self, arch: Architecture, seed: int) -> dict:
        """Raw proxy scores and the selected one mapped into ``accuracy``; never raises for a degenerate net."""
        watch = Stopwatch()
        c = self.config
        device = resolve_device(c.device)
        dataset = load_dataset(c.dataset, c.data_dir)
        images = to_input(dataset, fixed_minibatch(dataset, c.batch_size), channels_last=False).to(device)
        with fixed_threads_and_seed(c.threads, seed):
            # initialized on the CPU: the same weights on every device
            model = build_proxy_model(arch, dataset.num_classes, dataset.input_shape, c.width_multiplier).to(device)
            state = {k: v.clone() for k, v in model.state_dict().items()}
            scores = {"naswot": naswot(model, images)}
            model.load_state_dict(state)
            scores["synflow"] = synflow(model, dataset.input_shape)
        metrics = {f"score_{name}": value for name, value in scores.items()} | {"device": str(device)}
        bad = [name for name, value in scores.items() if not math.isfinite(value)]
        if bad:
            times = watch.times()
            return failed_metrics(f"non-finite {', '.join(bad)} score", times.pop("eval_seconds"), **times, **metrics)
        if c.proxy == "combined":
            score = sum((scores[n] - SCORE_SCALES[n][0]) / SCORE_SCALES[n][1] for n in ("naswot", "synflow"))
            center, scale = 0.0, 2.0
        else:
            score, (center, scale) = scores[c.proxy], SCORE_SCALES[c.proxy]
        metrics.update(score=score, accuracy=squash(score, center, scale))
        metrics.update(watch.times())
        return metrics
