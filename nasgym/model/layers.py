"""Layer dicts of the JSON layer schema (the simulator's input) and their analytic counts.

Layer schema (validated by :mod:`nasgym.hw.layers`): required ``name, op, cin, cout, k, stride, groups, h_in, w_in,
h_out, w_out`` with op in conv/add/concat/pool/fc (depthwise = conv with groups == cin); optional ``kh``/``kw``
(non-square kernels, they take precedence over ``k``), ``pool`` ("avg"/"max"), ``transposed`` (bool) and ``inputs``
(channel counts of a concat's inputs).

Parameter convention for :func:`layer_params`: a conv counts its weights plus two per output channel (the batch-norm
scale and shift that fold into it on the device); an fc counts weights plus bias; add/concat/pool have none.
"""

from __future__ import annotations

Layer = dict


def conv_layer(name: str, cin: int, cout: int, k: int, stride: int, groups: int, h: int, w: int) -> Layer:
    """A 'same'-padded conv layer dict."""
    return {
        "name": name, "op": "conv", "cin": cin, "cout": cout, "k": k, "stride": stride, "groups": groups,
        "h_in": h, "w_in": w, "h_out": -(-h // stride), "w_out": -(-w // stride),
    }


def elementwise_layer(name: str, op: str, channels: int, h: int, w: int) -> Layer:
    """A shape-preserving layer dict (``add``, or the base of a ``pool``)."""
    return {
        "name": name, "op": op, "cin": channels, "cout": channels, "k": 1, "stride": 1, "groups": 1,
        "h_in": h, "w_in": w, "h_out": h, "w_out": w,
    }


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
