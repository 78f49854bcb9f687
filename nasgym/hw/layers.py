"""Validation of the JSON layer schema and its normalized form, the :class:`LayerKey` the simulator costs.

Schema (what :func:`nasgym.lower` emits, see :mod:`nasgym.model.layers`): required ``name, op, cin, cout, k, stride,
groups, h_in, w_in, h_out, w_out`` with op in conv/add/concat/pool/fc (depthwise = conv with groups == cin); optional
``kh``/``kw`` (non-square kernels; they take precedence over ``k``), ``pool`` ("avg" or "max", default "avg"),
``transposed`` (bool, convs only) and ``inputs`` (channel counts of a concat's inputs). Kernel-less ops (add, concat,
pool, resize) may give ``k: 0`` or no ``k``: add, concat and resize then have k = 1, and a pool without
``k``/``kh``/``kw`` is a global pool (the kernel is the input size, the output 1x1). nasgym also accepts ``stride`` as
``[sh, sw]`` for non-square strides, and the op ``resize`` (nearest or bilinear up/down-sampling, from ``interpolate``;
k = stride = 1, cin == cout, any output size). Unknown keys are an error, and so are shapes that no padding can produce.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

OPS = ("conv", "add", "concat", "pool", "fc", "resize")
REQUIRED = ("name", "op", "cin", "cout", "k", "stride", "groups", "h_in", "w_in", "h_out", "w_out")
OPTIONAL = ("kh", "kw", "pool", "transposed", "inputs")
POOL_KINDS = ("avg", "max")
KERNELLESS = ("add", "concat", "pool", "resize")  # ops whose k may be 0 or omitted


class LayerKey(NamedTuple):
    """Everything about a layer that determines its cost (the name excluded); hashable, used as memo key."""

    op: str
    cin: int
    cout: int
    kh: int
    kw: int
    sh: int
    sw: int
    groups: int
    h_in: int
    w_in: int
    h_out: int
    w_out: int
    pool: str = ""
    transposed: bool = False
    inputs: tuple[int, ...] = ()


def _int(layer: Mapping, key: str, where: str) -> int:
    value = layer[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{where}: {key}={value!r} is invalid: expected a positive int")
    return value


def _conv_range(size: int, kernel: int, stride: int, transposed: bool) -> tuple[int, int]:
    """Output sizes some padding (0 .. kernel-1 per side) can give."""
    if transposed:
        full = (size - 1) * stride + kernel
        return max(1, full - 2 * (kernel - 1)), full + stride - 1
    return max(1, (size - kernel) // stride + 1), (size + kernel - 2) // stride + 1


def check_layer(layer: Mapping, index: int = 0) -> tuple[str, LayerKey]:
    """Validate one layer dict; return its name and :class:`LayerKey`.

    Raises:
        ValueError: naming the layer, the bad key or value and what was expected.
    """
    if not isinstance(layer, Mapping):
        raise ValueError(f"layer {index}: {layer!r} is invalid: expected a JSON object with keys {list(REQUIRED)}")
    where = f"layer {index} ({layer.get('name', '?')!r})"
    unknown = sorted(set(layer) - set(REQUIRED) - set(OPTIONAL))
    kernelless = layer.get("op") in KERNELLESS
    missing = [key for key in REQUIRED if key not in layer and not (key == "k" and kernelless)]
    if unknown or missing:
        raise ValueError(
            f"{where} has unknown key(s) {unknown} / missing key(s) {missing}: expected {list(REQUIRED)} "
            f"and optionally {list(OPTIONAL)}"
        )
    name, op = layer["name"], layer["op"]
    if not isinstance(name, str) or not name:
        raise ValueError(f"{where}: name={name!r} is invalid: expected a non-empty string")
    if op not in OPS:
        raise ValueError(f"{where}: op={op!r} is unknown: expected one of {', '.join(OPS)}")
    cin, cout, groups = _int(layer, "cin", where), _int(layer, "cout", where), _int(layer, "groups", where)
    h_in, w_in = _int(layer, "h_in", where), _int(layer, "w_in", where)
    h_out, w_out = _int(layer, "h_out", where), _int(layer, "w_out", where)
    k = layer.get("k", 0)
    if kernelless and type(k) is int and k == 0:  # no kernel: 1, or the whole input for a global pool
        k = 0 if op == "pool" and "kh" not in layer and "kw" not in layer else 1
    elif isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"{where}: k={k!r} is invalid: expected a positive int (or 0 / no k for the kernel-less ops "
                         f"{', '.join(KERNELLESS)})")
    kh = _int(layer, "kh", where) if "kh" in layer else k or h_in
    kw = _int(layer, "kw", where) if "kw" in layer else k or w_in
    stride = layer["stride"]
    if isinstance(stride, list | tuple) and len(stride) == 2:
        sh, sw = _int({"stride": stride[0]}, "stride", where), _int({"stride": stride[1]}, "stride", where)
    else:
        sh = sw = _int(layer, "stride", where)
    transposed = layer.get("transposed", False)
    if not isinstance(transposed, bool) or (transposed and op != "conv"):
        raise ValueError(f"{where}: transposed={transposed!r} is invalid: expected a bool, true only for op conv")
    pool = layer.get("pool", "avg" if op == "pool" else "")
    if "pool" in layer and (op != "pool" or pool not in POOL_KINDS):
        raise ValueError(f"{where}: pool={pool!r} is invalid: expected one of {POOL_KINDS}, on op pool only")
    inputs: tuple[int, ...] = ()
    if "inputs" in layer:
        raw = layer["inputs"]
        if op != "concat" or not isinstance(raw, list | tuple) or len(raw) < 2:
            raise ValueError(f"{where}: inputs={raw!r} is invalid: expected a list of >= 2 channel counts (concat)")
        inputs = tuple(_int({"inputs": v}, "inputs", where) for v in raw)

    def bad_shape(expected: str) -> ValueError:
        shape = f"{cin}x{h_in}x{w_in} -> {cout}x{h_out}x{w_out}"
        return ValueError(f"{where}: inconsistent shapes for op {op} ({shape}, k={kh}x{kw}, stride={sh}x{sw}, "
                          f"groups={groups}): expected {expected}")

    if op == "conv":
        if cin % groups or cout % groups:
            raise bad_shape(f"groups={groups} to divide cin={cin} and cout={cout}")
        for size, out, kernel, s, axis in ((h_in, h_out, kh, sh, "h"), (w_in, w_out, kw, sw, "w")):
            lo, hi = _conv_range(size, kernel, s, transposed)
            if not lo <= out <= hi:
                raise bad_shape(f"{axis}_out in [{lo}, {hi}]")
    elif op == "fc":
        if (h_in, w_in, h_out, w_out, kh, kw, sh, sw, groups) != (1,) * 9:
            raise bad_shape("h_in = w_in = h_out = w_out = k = stride = groups = 1 (flatten first)")
    else:
        if groups != 1:
            raise bad_shape("groups = 1")
        if op in ("add", "concat") and (h_in, w_in) != (h_out, w_out):
            raise bad_shape("equal input and output sizes")
        if op in ("add", "resize") and cin != cout:
            raise bad_shape("cin == cout")
        if op == "concat" and inputs and sum(inputs) != cout:
            raise bad_shape(f"the inputs {list(inputs)} to sum to cout={cout}")
        if op == "pool":
            if cin != cout:
                raise bad_shape("cin == cout")
            if k == 0 and (h_out, w_out) != (1, 1):
                raise bad_shape("h_out = w_out = 1 for a pool without k (a global pool)")
            for size, out, kernel, s, axis in ((h_in, h_out, kh, sh, "h"), (w_in, w_out, kw, sw, "w")):
                lo, hi = _conv_range(size, kernel, s, False)
                if not lo <= out <= hi:
                    raise bad_shape(f"{axis}_out in [{lo}, {hi}]")
        elif (kh, kw, sh, sw) != (1, 1, 1, 1):
            raise bad_shape("k = stride = 1")
    key = LayerKey(op, cin, cout, kh, kw, sh, sw, groups, h_in, w_in, h_out, w_out, pool, transposed, inputs)
    return name, key


def check_layers(layers: Iterable[Mapping]) -> tuple[list[str], list[LayerKey]]:
    """Validate a list of layer dicts; return names and keys. An empty list is an error."""
    if isinstance(layers, str | bytes | Mapping):
        raise ValueError(f"layers={layers!r:.60} is invalid: expected a list of layer dicts")
    names, keys = [], []
    for index, layer in enumerate(layers):
        name, key = check_layer(layer, index)
        names.append(name)
        keys.append(key)
    if not keys:
        raise ValueError("layers=[] is invalid: expected at least one layer")
    return names, keys

