"""Architecture -> list of executed layers in the JSON layer schema (the simulator's input).

Layer schema (``shared/DESIGN.md``): required ``name, op, cin, cout, k, stride, groups, h_in, w_in, h_out, w_out``
with op in conv/add/concat/pool/fc (depthwise = conv with groups == cin); optional ``kh``/``kw`` (non-square
kernels, they take precedence over ``k``), ``pool`` ("avg"/"max"), ``transposed`` (bool) and ``inputs`` (channel
counts of a concat's inputs).

Parameter convention for :func:`layer_params`: a conv counts its weights plus two per output channel (the batch-norm
scale and shift that fold into it on the device); an fc counts weights plus bias; add/concat/pool have none.
"""

from __future__ import annotations

from collections.abc import Sequence

from nasgym.space.architecture import Architecture
from nasgym.space.block import Block
from nasgym.space.convs import block_convs

Layer = dict


def conv_layer(name: str, cin: int, cout: int, k: int, stride: int, groups: int, h: int, w: int) -> Layer:
    """A 'same'-padded conv layer dict."""
    return {
        "name": name, "op": "conv", "cin": cin, "cout": cout, "k": k, "stride": stride, "groups": groups,
        "h_in": h, "w_in": w, "h_out": -(-h // stride), "w_out": -(-w // stride),
    }


def _elementwise(name: str, op: str, channels: int, h: int, w: int) -> Layer:
    return {
        "name": name, "op": op, "cin": channels, "cout": channels, "k": 1, "stride": 1, "groups": 1,
        "h_in": h, "w_in": w, "h_out": h, "w_out": w,
    }


def lower_block(block: Block, cin: int, h: int, w: int, prefix: str) -> list[Layer]:
    """The layers one block executes for a ``cin`` x ``h`` x ``w`` input (its :meth:`~Block.convs`, then the add)."""
    layers: list[Layer] = []
    h_in, w_in = h, w
    for conv in block_convs(block, cin):
        layers.append(conv_layer(f"{prefix}/{conv.name}", conv.cin, conv.cout, conv.k, conv.stride, conv.groups, h, w))
        h, w = layers[-1]["h_out"], layers[-1]["w_out"]
    if block.has_residual(cin):
        layers.append(_elementwise(f"{prefix}/add", "add", block.filters, h_in, w_in))
    return layers


def lower(
    arch: Architecture,
    input_shape: Sequence[int] | None = None,
    num_classes: int = 1000,
    task: str = "classification",
) -> list[Layer]:
    """Every executed op of ``arch`` (convs, adds, pooling, fc) as layer dicts, in order.

    Args:
        arch: The architecture.
        input_shape: (height, width, channels); defaults to ``arch.input_shape``.
        num_classes: Width of the classifier (segmentation: classes per pixel).
        task: "classification" (pool + fc), "segmentation" (1x1 logits conv + depthwise transposed-conv
            upsampling by the total stride) or "text" (every kxk conv is a kx1 conv over the sequence; the host-side
            embedding lookup is not an accelerator op and is not listed).
    """
    if task not in ("classification", "segmentation", "text"):
        raise ValueError(f"task={task!r} is invalid: expected one of classification, segmentation, text")
    h, w, c = tuple(input_shape) if input_shape is not None else arch.input_shape
    layers = [conv_layer("stem", c, arch.stem_filters, arch.stem_kernel, arch.stem_stride, 1, h, w)]
    h, w, cin = layers[0]["h_out"], layers[0]["w_out"], arch.stem_filters
    stride = arch.stem_stride
    for s, b, block in arch.iter_blocks():
        block_layers = lower_block(block, cin, h, w, f"s{s}b{b}")
        if block_layers:
            h, w = block_layers[-1]["h_out"], block_layers[-1]["w_out"]
        layers += block_layers
        cin = block.filters
        stride *= block.stride
    layers.append(conv_layer("top", cin, arch.head_filters, 1, 1, 1, h, w))
    if task == "text":
        for layer in layers:
            if layer["k"] > 1:
                layer.update(kh=layer["k"], kw=1)
    if task == "segmentation":
        layers.append(conv_layer("seg/logits", arch.head_filters, num_classes, 1, 1, 1, h, w))
        if stride > 1:
            layers.append({
                "name": "seg/upsample", "op": "conv", "cin": num_classes, "cout": num_classes, "k": 2 * stride,
                "stride": stride, "groups": num_classes, "h_in": h, "w_in": w, "h_out": h * stride,
                "w_out": w * stride, "transposed": True,
            })
        return layers
    pool = _elementwise("pool", "pool", arch.head_filters, h, w)
    pool.update(k=max(h, w), kh=h, kw=w, h_out=1, w_out=1, pool="avg")
    layers.append(pool)
    layers.append({
        "name": "fc", "op": "fc", "cin": arch.head_filters, "cout": num_classes, "k": 1, "stride": 1, "groups": 1,
        "h_in": 1, "w_in": 1, "h_out": 1, "w_out": 1,
    })
    return layers


def kernel_hw(layer: Layer) -> tuple[int, int]:
    """(kh, kw) of a layer: explicit ``kh``/``kw`` take precedence over ``k``."""
    return layer.get("kh", layer["k"]), layer.get("kw", layer["k"])


def layer_macs(layer: Layer) -> int:
    """Multiply-accumulates of one layer (convs and fc; elementwise ops and pooling count 0)."""
    op = layer["op"]
    if op == "conv":
        kh, kw = kernel_hw(layer)
        spatial = layer["h_in"] * layer["w_in"] if layer.get("transposed") else layer["h_out"] * layer["w_out"]
        return spatial * kh * kw * (layer["cin"] // layer["groups"]) * layer["cout"]
    if op == "fc":
        return layer["cin"] * layer["cout"]
    return 0


def layer_params(layer: Layer) -> int:
    """Trainable parameters of one layer (convention in the module docstring)."""
    op = layer["op"]
    if op == "conv":
        kh, kw = kernel_hw(layer)
        return kh * kw * (layer["cin"] // layer["groups"]) * layer["cout"] + 2 * layer["cout"]
    if op == "fc":
        return layer["cin"] * layer["cout"] + layer["cout"]
    return 0
