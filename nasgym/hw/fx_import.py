"""Import a ``torch.nn.Module`` into the JSON layer schema through torch.fx (symbolic trace + shape propagation).

Supported: Conv2d (any groups, non-square kernels and strides), ConvTranspose2d, Linear (on a flattened tensor),
BatchNorm (folded into the conv or linear layer that produces its input alone; otherwise, as in a pre-activation
BN-ReLU-conv, two elementwise layers: the per-channel multiply and add TFLite keeps for it), ReLU/ReLU6/Hardswish
(fused into the producer), Dropout/Identity, add, cat
(channels), chunk/split/getitem/flatten/view/reshape (free views), avg/max/adaptive pooling, ``mean`` over the
spatial dims (global average pooling) and interpolate/Upsample (``resize``). Anything else raises ``ValueError``
naming the node and its type.

A group conv written out per group, the way the Edge TPU runs it and the TF Model Garden exports GC-IBN (channel
slice -> one equal conv per group -> channel concat, :class:`nasgym.model.builder.SplitGroupConv`), is imported as
the one grouped conv layer it computes (:func:`group_convs`): the cost model costs a grouped conv as its per-group
ops plus the concat copy, so the split and grouped forms of a network are the same layers and cost the same. The
pattern is strict: the slices (``chunk``/``split`` items or ``x[:, a:b]``) of one tensor, in order and covering all
its channels with at least 2 channels each; ``Conv2d`` modules with ``groups=1``, identical hyperparameters, each
reading one slice and read only by the concat; the concat of exactly those convs, in slice order, along channels.
Anything else (e.g. a concat of convs on the same unsliced input, different kernels per slice) stays as written.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import fx, nn
from torch.fx.passes.shape_prop import ShapeProp

BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d)
FOLDING_MODULES = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)  # a BN right after one of these folds into it
FREE_MODULES = (nn.ReLU, nn.ReLU6, nn.Hardswish, nn.Dropout, nn.Identity, nn.Flatten)
FREE_FUNCTIONS = {
    F.relu, F.relu6, F.hardswish, torch.relu, F.dropout, torch.flatten, torch.chunk, torch.split, operator.getitem,
    torch.reshape,
}
FREE_METHODS = {"relu", "relu_", "view", "reshape", "flatten", "chunk", "split", "contiguous", "size", "dim"}
POOL_FUNCTIONS = {
    F.avg_pool2d: "avg", F.max_pool2d: "max", F.adaptive_avg_pool2d: "avg", F.adaptive_max_pool2d: "max",
}
RESIZE_FUNCTIONS = {F.interpolate, F.upsample}


def _pair(value: int | Sequence[int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _shape(node: fx.Node) -> tuple[int, ...] | None:
    meta = node.meta.get("tensor_meta")
    return tuple(meta.shape) if meta is not None and hasattr(meta, "shape") else None


def _nchw(node: fx.Node, where: str) -> tuple[int, int, int]:
    shape = _shape(node)
    if shape is None or len(shape) != 4:
        raise ValueError(f"{where}: expected a 4-D (N, C, H, W) tensor, got shape {shape}")
    return shape[1], shape[2], shape[3]


def _layer(name: str, op: str, cin: int, cout: int, kh: int, kw: int, sh: int, sw: int, groups: int,
           h_in: int, w_in: int, h_out: int, w_out: int, **extra: object) -> dict:
    layer = {"name": name, "op": op, "cin": cin, "cout": cout, "k": max(kh, kw), "stride": sh if sh == sw else [sh, sw],
             "groups": groups, "h_in": h_in, "w_in": w_in, "h_out": h_out, "w_out": w_out}
    if kh != kw:
        layer.update(kh=kh, kw=kw)
    layer.update(extra)
    return layer


def _pool(name: str, kind: str, src: fx.Node, dst: fx.Node, kernel: object, stride: object, where: str) -> dict:
    c, h, w = _nchw(src, where)
    _, ho, wo = _nchw(dst, where)
    if kernel is None:  # adaptive: the window that gives the requested output size
        sh, sw = max(1, h // ho), max(1, w // wo)
        kh, kw = h - (ho - 1) * sh, w - (wo - 1) * sw
    else:
        kh, kw = _pair(kernel)
        sh, sw = _pair(stride if stride not in (None, ()) else kernel)
    return _layer(name, "pool", c, c, kh, kw, sh, sw, 1, h, w, ho, wo, pool=kind)


def _tensor_args(node: fx.Node) -> list[fx.Node]:
    return [a for a in node.args if isinstance(a, fx.Node) and _shape(a) is not None]


def _foldable(src: object, modules: dict[str, nn.Module]) -> bool:
    """Whether a BN on ``src`` folds into its producers: a conv or linear layer (or a channel concat of them, as in
    a group conv run per group) whose output nothing else reads."""
    if not isinstance(src, fx.Node) or len(src.users) != 1:
        return False
    if src.op == "call_module":
        return isinstance(modules[src.target], FOLDING_MODULES)
    if src.op == "call_function" and src.target in (torch.cat, torch.concat) and isinstance(src.args[0], list | tuple):
        return all(_foldable(t, modules) for t in src.args[0])
    return False


def _batch_norm(name: str, node: fx.Node, modules: dict[str, nn.Module], where: str) -> list[dict] | None:
    """Nothing for a BN folded into its producers (:func:`_foldable`); else its multiply and add (TFLite keeps an
    unfolded batch norm as MUL and ADD by per-channel constants, the ReLU fused into the ADD)."""
    if _foldable(node.args[0], modules):
        return None
    shape = _shape(node)
    if shape is None or len(shape) not in (2, 4):
        raise ValueError(f"{where}: expected a (N, C) or (N, C, H, W) tensor, got shape {shape}")
    c, h, w = (shape[1], 1, 1) if len(shape) == 2 else shape[1:]
    return [_layer(f"{name}.{part}", "add", c, c, 1, 1, 1, 1, 1, h, w, h, w) for part in ("mul", "add")]


def _channel_slice(node: object) -> tuple[fx.Node, int, int] | None:
    """(source, first channel, end channel) when ``node`` is a channel slice of a 4-D tensor: an item of
    ``chunk``/``split`` along dim 1 or ``x[:, a:b]``; else ``None``."""
    if not isinstance(node, fx.Node) or node.op != "call_function" or node.target is not operator.getitem:
        return None
    parent, index = node.args[0], node.args[1]
    if not isinstance(parent, fx.Node):
        return None
    shape = _shape(node)
    if shape is None or len(shape) != 4:
        return None
    if parent.target in (torch.chunk, "chunk", torch.split, "split") and isinstance(index, int):
        dim = parent.kwargs.get("dim", parent.args[2] if len(parent.args) > 2 else 0)
        parts = parent.meta.get("tensor_meta")
        source = parent.args[0]
        if not isinstance(dim, int) or dim % 4 != 1 or not isinstance(parts, list | tuple) or index < 0:
            return None
        sizes = [tuple(p.shape)[1] for p in parts]
        return (source, sum(sizes[:index]), sum(sizes[:index + 1])) if isinstance(source, fx.Node) else None
    source_shape = _shape(parent)
    if not isinstance(index, tuple) or source_shape is None or len(source_shape) != 4 or len(index) < 2:
        return None
    full = slice(None)
    channels = index[1]
    if index[0] != full or not isinstance(channels, slice) or channels.step not in (None, 1):
        return None
    if any(i is not Ellipsis and i != full for i in index[2:]):
        return None
    start, stop, _ = channels.indices(source_shape[1])
    return (parent, start, stop) if stop > start else None


def group_convs(graph: fx.Graph, modules: dict[str, nn.Module]) -> tuple[dict[fx.Node, dict], set[fx.Node]]:
    """The per-group conv patterns of ``graph`` (see the module docstring): ({concat node: its grouped conv layer},
    the per-group conv nodes it replaces). ``modules``: the traced module's ``named_modules()`` (the grouped layer
    is named after the module holding the per-group convs, e.g. ``a`` for ``a.convs.0``, ``a.convs.1``)."""
    merged: dict[fx.Node, dict] = {}
    replaced: set[fx.Node] = set()
    for node in graph.nodes:
        if node.op != "call_function" or node.target not in (torch.cat, torch.concat):
            continue
        convs = node.args[0]
        dim = node.kwargs.get("dim", node.args[1] if len(node.args) > 1 else 0)
        if dim not in (1, -3) or not isinstance(convs, list | tuple) or len(convs) < 2:
            continue
        if not all(isinstance(c, fx.Node) and c.op == "call_module" and type(modules[c.target]) is nn.Conv2d
                   and len(c.users) == 1 and len(c.args) == 1 and not c.kwargs for c in convs):
            continue
        first = modules[convs[0].target]
        config = (first.in_channels, first.out_channels, first.kernel_size, first.stride, first.padding,
                  first.dilation, first.groups, first.padding_mode, first.bias is None)
        if first.groups != 1 or first.in_channels < 2 or any(
                (m.in_channels, m.out_channels, m.kernel_size, m.stride, m.padding, m.dilation, m.groups,
                 m.padding_mode, m.bias is None) != config for m in (modules[c.target] for c in convs[1:])):
            continue
        slices = [_channel_slice(c.args[0]) for c in convs]
        if any(s is None for s in slices) or len({s[0] for s in slices}) != 1:
            continue
        width, source = first.in_channels, slices[0][0]
        if [(s[1], s[2]) for s in slices] != [(i * width, (i + 1) * width) for i in range(len(convs))]:
            continue
        source_shape = _shape(source)
        if source_shape is None or len(source_shape) != 4 or source_shape[1] != width * len(convs):
            continue
        where = f"node {node.name!r}"
        cin, h, w = _nchw(source, where)
        cout, ho, wo = _nchw(node, where)
        kh, kw = _pair(first.kernel_size)
        sh, sw = _pair(first.stride)
        merged[node] = _layer(_group_name([str(c.target) for c in convs], modules, node.name), "conv", cin, cout,
                              kh, kw, sh, sw, len(convs), h, w, ho, wo)
        replaced.update(convs)
    return merged, replaced


def _group_name(targets: list[str], modules: dict[str, nn.Module], fallback: str) -> str:
    """The module that holds the per-group convs (``a.convs.0``, ``a.convs.1`` -> ``a``), else ``fallback``."""
    parts = [t.split(".") for t in targets]
    common: list[str] = []
    for names in zip(*parts, strict=False):
        if len(set(names)) != 1:
            break
        common.append(names[0])
    if common and isinstance(modules.get(".".join(common)), nn.ModuleList):
        common.pop()
    return ".".join(common) or fallback


def _convert(node: fx.Node, modules: dict[str, nn.Module]) -> list[dict] | dict | None:
    where = f"node {node.name!r}"
    if node.op == "call_module":
        module = modules[node.target]
        where = f"node {node.name!r} (module {node.target!r}, {type(module).__name__})"
        if isinstance(module, FREE_MODULES):
            return None
        name = str(node.target)
        if isinstance(module, BATCH_NORMS):
            return _batch_norm(name, node, modules, where)
        if isinstance(module, nn.Conv2d | nn.ConvTranspose2d):
            if _pair(module.dilation) != (1, 1):
                raise ValueError(f"{where}: dilation={module.dilation} is unsupported: expected 1")
            cin, h, w = _nchw(node.args[0], where)
            cout, ho, wo = _nchw(node, where)
            kh, kw = _pair(module.kernel_size)
            sh, sw = _pair(module.stride)
            extra = {"transposed": True} if isinstance(module, nn.ConvTranspose2d) else {}
            return _layer(name, "conv", cin, cout, kh, kw, sh, sw, module.groups, h, w, ho, wo, **extra)
        if isinstance(module, nn.Linear):
            shape = _shape(node.args[0])
            if shape is None or len(shape) != 2:
                raise ValueError(f"{where}: Linear needs a flattened (N, features) input, got shape {shape}")
            return _layer(name, "fc", module.in_features, module.out_features, 1, 1, 1, 1, 1, 1, 1, 1, 1)
        if isinstance(module, nn.AvgPool2d | nn.MaxPool2d):
            kind = "avg" if isinstance(module, nn.AvgPool2d) else "max"
            return _pool(name, kind, node.args[0], node, module.kernel_size, module.stride, where)
        if isinstance(module, nn.AdaptiveAvgPool2d | nn.AdaptiveMaxPool2d):
            kind = "avg" if isinstance(module, nn.AdaptiveAvgPool2d) else "max"
            return _pool(name, kind, node.args[0], node, None, None, where)
        if isinstance(module, nn.Upsample):
            return _resize(name, node, where)
        raise ValueError(f"{where} is unsupported by the Edge TPU simulator")
    if node.op in ("call_function", "call_method"):
        target = node.target
        label = target if isinstance(target, str) else getattr(target, "__name__", str(target))
        where = f"node {node.name!r} ({node.op} {label})"
        if target in FREE_FUNCTIONS or target in FREE_METHODS:
            return None
        if target is F.batch_norm:
            return _batch_norm(node.name, node, modules, where)
        if target in (operator.add, torch.add, "add", operator.iadd, "add_"):
            inputs = _tensor_args(node)
            if len(inputs) != 2 or _shape(inputs[0]) != _shape(inputs[1]) or len(_shape(inputs[0])) != 4:
                raise ValueError(f"{where}: expected an add of two 4-D tensors of the same shape")
            c, h, w = _nchw(node, where)
            return _layer(node.name, "add", c, c, 1, 1, 1, 1, 1, h, w, h, w)
        if target in (torch.cat, torch.concat):
            tensors = node.args[0]
            dim = node.kwargs.get("dim", node.args[1] if len(node.args) > 1 else 0)
            if dim not in (1, -3) or not isinstance(tensors, list | tuple):
                raise ValueError(f"{where}: only concatenation along channels (dim=1) is supported, got dim={dim}")
            c, h, w = _nchw(node, where)
            inputs = [_nchw(t, where)[0] for t in tensors]
            extra = {"inputs": inputs} if len(inputs) >= 2 else {}
            return _layer(node.name, "concat", c, c, 1, 1, 1, 1, 1, h, w, h, w, **extra)
        if target in POOL_FUNCTIONS:
            adaptive = target in (F.adaptive_avg_pool2d, F.adaptive_max_pool2d)
            kernel = None if adaptive else node.kwargs.get("kernel_size", node.args[1] if len(node.args) > 1 else None)
            stride = None if adaptive else node.kwargs.get("stride", node.args[2] if len(node.args) > 2 else None)
            return _pool(node.name, POOL_FUNCTIONS[target], node.args[0], node, kernel, stride, where)
        if target in ("mean", torch.mean):
            dims = node.kwargs.get("dim", node.args[1] if len(node.args) > 1 else None)
            dims = tuple(d % 4 for d in ([dims] if isinstance(dims, int) else dims or ()))
            if sorted(dims) != [2, 3]:
                raise ValueError(f"{where}: only a mean over the spatial dims (2, 3) is supported, got dim={dims}")
            c, h, w = _nchw(node.args[0], where)
            return _layer(node.name, "pool", c, c, h, w, 1, 1, 1, h, w, 1, 1, pool="avg")
        if target in RESIZE_FUNCTIONS:
            return _resize(node.name, node, where)
        raise ValueError(f"{where} is unsupported by the Edge TPU simulator")
    return None  # the graph input, its output and attribute reads execute nothing


def _resize(name: str, node: fx.Node, where: str) -> dict:
    c, h, w = _nchw(node.args[0], where)
    _, ho, wo = _nchw(node, where)
    return _layer(name, "resize", c, c, 1, 1, 1, 1, 1, h, w, ho, wo)


class _Tracer(fx.Tracer):
    """A tracer that can iterate over ``chunk(x, n)`` and ``split(x, [sizes])`` results (per-group convs)."""

    def iter(self, obj: fx.Proxy):  # noqa: A003 - fx.Tracer's hook name
        node = obj.node
        if node.target in (torch.chunk, "chunk", torch.split, "split"):
            count = node.kwargs.get("chunks", node.args[1] if len(node.args) > 1 else None)
            if isinstance(count, list | tuple):
                count = len(count)
            if isinstance(count, int):
                return iter([obj[i] for i in range(count)])
        return super().iter(obj)


def module_layers(module: nn.Module, input_shape: Sequence[int]) -> list[dict]:
    """The executed layers of ``module`` for one input of ``input_shape`` ((C, H, W) or (1, C, H, W)).

    Raises:
        ValueError: the module cannot be traced, the input shape does not fit it, or a node is unsupported.
    """
    shape = tuple(input_shape)
    if len(shape) == 3:
        shape = (1, *shape)
    if len(shape) != 4 or shape[0] != 1 or any(isinstance(v, bool) or not isinstance(v, int) or v < 1 for v in shape):
        raise ValueError(f"input_shape={tuple(input_shape)!r} is invalid: expected (channels, height, width) > 0")
    try:
        graph = fx.GraphModule(module, _Tracer().trace(module))
    except Exception as err:  # torch raises many types here
        raise ValueError(f"torch.fx cannot trace {type(module).__name__}: {err}") from err
    was_training = module.training
    graph.eval()
    try:
        with torch.no_grad():
            device = next(iter(module.parameters()), torch.zeros(())).device  # zoo modules live on "meta"
            ShapeProp(graph).propagate(torch.zeros(shape, device=device))
    except Exception as err:  # shape mismatch inside the module
        raise ValueError(
            f"input_shape={tuple(input_shape)!r} does not fit {type(module).__name__}: {err} (expected torch order "
            "channels, height, width)"
        ) from err
    finally:
        module.train(was_training)
    modules = dict(graph.named_modules())
    merged, replaced = group_convs(graph.graph, dict(module.named_modules()))  # containers as in the module
    layers = []
    for node in graph.graph.nodes:
        if node in replaced:
            continue
        converted = merged[node] if node in merged else _convert(node, modules)
        if converted is not None:
            layers += converted if isinstance(converted, list) else [converted]
    if not layers:
        raise ValueError(f"{type(module).__name__} has no layer the Edge TPU executes")
    return layers
