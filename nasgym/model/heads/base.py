"""The head protocol and registry: what a task puts after the backbone, as torch module and as lowered layers.

A head is one object with two views of the same ops: :meth:`Head.layers` (layer dicts for the simulator, after the
backbone's 1x1 top conv) and :meth:`Head.build` (the whole ``torch.nn.Module``). ``one_d`` heads run the backbone in
1-D (every kxk conv a kx1 conv over the height axis). Registering a head makes its name a valid ``task`` of
:func:`nasgym.build_model`, :func:`nasgym.lower`, :func:`nasgym.count` and of the Edge TPU cost model. This module
does not import torch; :meth:`Head.build` does.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nasgym.model.layers import Layer, elementwise_layer
from nasgym.registry import Registry
from nasgym.space.architecture import Architecture

if TYPE_CHECKING:
    from torch import nn


class Head(ABC):
    """Base class of task heads (the default one is :class:`Classification`).

    Attributes:
        name: Registry key (the ``task`` argument of ``build_model`` / ``lower``).
        one_d: Whether the backbone runs in 1-D (input (length, 1, channels); kxk convs become kx1).
    """

    name: str = ""
    one_d: bool = False

    def check_input(self, input_shape: Sequence[int]) -> None:  # noqa: B027 - optional hook, accepts any input
        """Raise ``ValueError`` if the head cannot run on a (height, width, channels) deployment input."""

    @abstractmethod
    def layers(self, channels: int, h: int, w: int, num_classes: int, stride: int) -> list[Layer]:
        """The head's layers on the ``channels`` x ``h`` x ``w`` output of the top conv (``stride``: the
        backbone's total stride)."""

    @abstractmethod
    def build(self, arch: Architecture, num_classes: int, group_conv: str, in_channels: int | None,
              **options: Any) -> nn.Module:
        """The torch network of ``arch`` (backbone and this head)."""


class Classification(Head):
    """Global average pooling, dropout, linear classifier with bias."""

    name = "classification"

    def layers(self, channels: int, h: int, w: int, num_classes: int, stride: int) -> list[Layer]:
        pool = elementwise_layer("pool", "pool", channels, h, w)
        pool.update(k=max(h, w), kh=h, kw=w, h_out=1, w_out=1, pool="avg")
        fc = {"name": "fc", "op": "fc", "cin": channels, "cout": num_classes, "k": 1, "stride": 1, "groups": 1,
              "h_in": 1, "w_in": 1, "h_out": 1, "w_out": 1}
        return [pool, fc]

    def build(self, arch: Architecture, num_classes: int, group_conv: str, in_channels: int | None,
              **options: Any) -> nn.Module:
        from nasgym.model.builder import Backbone, ClassificationHead, Network

        backbone = Backbone(arch, in_channels, group_conv)
        return Network(backbone, ClassificationHead(backbone.out_channels, num_classes))


HEADS: Registry[Head] = Registry("task")


def register_head(head: Head) -> Head:
    """Add (or replace) a head in the registry; returns it."""
    if not isinstance(head, Head) or not head.name:
        raise ValueError(f"head={head!r:.60} is invalid: expected a named nasgym.model.heads.Head")
    return HEADS.register(head.name, head)


def head_names() -> tuple[str, ...]:
    """Names of the registered heads."""
    return HEADS.names()


def get_head(name: str | Head) -> Head:
    """The registered head ``name`` (a :class:`Head` is returned as is).

    Raises:
        ValueError: If no head has that name.
    """
    if isinstance(name, Head):
        return name
    return HEADS.get(name)


def one_d_layer(layer: Layer) -> Layer:
    """``layer`` as in a 1-D network: a kxk kernel becomes kx1 (``kh=k, kw=1``); updated in place."""
    if layer["k"] > 1:
        layer.update(kh=layer["k"], kw=1)
    return layer


register_head(Classification())
