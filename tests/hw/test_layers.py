"""The JSON layer schema: accepted forms and a clear error for each kind of bad layer."""

import pytest

from nasgym.hw import simulate
from nasgym.hw.layers import check_layer, check_layers


def conv(**changes):
    layer = {"name": "c", "op": "conv", "cin": 16, "cout": 32, "k": 3, "stride": 2, "groups": 1,
             "h_in": 56, "w_in": 56, "h_out": 28, "w_out": 28}
    layer.update(changes)
    return layer


def test_valid_conv_and_normalization():
    name, key = check_layer(conv())
    assert name == "c"
    assert (key.kh, key.kw, key.sh, key.sw, key.pool, key.transposed) == (3, 3, 2, 2, "", False)


def test_non_square_kernel_and_stride():
    _, key = check_layer(conv(kh=1, kw=7, stride=[1, 2], h_out=56, w_out=28))
    assert (key.kh, key.kw, key.sh, key.sw) == (1, 7, 1, 2)


def test_valid_padding_and_transposed():
    check_layer(conv(k=3, stride=1, h_out=54, w_out=54))  # 'valid' padding
    _, key = check_layer(conv(transposed=True, h_in=28, w_in=28, h_out=56, w_out=56))
    assert key.transposed


def test_pool_defaults_to_avg_and_concat_inputs():
    pool = conv(op="pool", cout=16, k=2, stride=2)
    pool.update(h_out=28, w_out=28)
    assert check_layer(pool)[1].pool == "avg"
    cat = {"name": "cat", "op": "concat", "cin": 48, "cout": 48, "k": 1, "stride": 1, "groups": 1,
           "h_in": 7, "w_in": 7, "h_out": 7, "w_out": 7, "inputs": [16, 32]}
    assert check_layer(cat)[1].inputs == (16, 32)


@pytest.mark.parametrize(
    ("layer", "needle"),
    [
        (conv(op="lstm"), "op='lstm' is unknown: expected one of conv, add, concat, pool, fc"),
        (conv(bias=True), r"unknown key\(s\) \['bias'\]"),
        ({k: v for k, v in conv().items() if k != "h_out"}, r"missing key\(s\) \['h_out'\]"),
        (conv(cin=0), "cin=0 is invalid: expected a positive int"),
        (conv(cin=2.5), "cin=2.5 is invalid"),
        (conv(name=""), "name='' is invalid"),
        (conv(h_out=30), r"inconsistent shapes for op conv .* expected h_out in \[27, 29\]"),
        (conv(groups=3), "expected groups=3 to divide cin=16 and cout=32"),
        (conv(stride=[2, 2, 2]), "stride=.* is invalid"),
        (conv(transposed="yes"), "transposed='yes' is invalid"),
        (conv(pool="avg"), "pool='avg' is invalid"),
        (conv(op="add", cin=16, cout=32, k=1, stride=1, h_out=56, w_out=56), "expected cin == cout"),
        (conv(op="add", cin=16, cout=16, k=1, stride=1), "expected equal input and output sizes"),
        (conv(op="fc", k=1, stride=1), "expected h_in = w_in = h_out = w_out = k = stride = groups = 1"),
        (conv(op="concat", cin=48, cout=48, k=1, stride=1, h_out=56, w_out=56, inputs=[16, 16]),
         r"expected the inputs \[16, 16\] to sum to cout=48"),
        (conv(inputs=[16, 16]), "inputs=.* is invalid"),
        (conv(op="pool", cout=16, k=3, stride=2, h_out=10, w_out=28), r"expected h_out in \[27, 29\]"),
        ("conv", "expected a JSON object"),
    ],
)
def test_bad_layer(layer, needle):
    with pytest.raises(ValueError, match=needle):
        check_layer(layer, 3)


def test_error_names_layer_index():
    with pytest.raises(ValueError, match=r"layer 1 \('second'\)"):
        check_layers([conv(), conv(name="second", op="relu")])


def test_empty_and_non_list():
    with pytest.raises(ValueError, match="expected at least one layer"):
        check_layers([])
    with pytest.raises(ValueError, match="expected a list of layer dicts"):
        check_layers({"op": "conv"})


def test_simulate_rejects_bad_layers_and_objects():
    with pytest.raises(ValueError, match="op='relu' is unknown"):
        simulate([conv(op="relu")])
    with pytest.raises(ValueError, match="cannot simulate int"):
        simulate(42)


def _without_k(layer: dict) -> dict:
    return {key: value for key, value in layer.items() if key != "k"}


ADD = {"name": "add", "op": "add", "cin": 32, "cout": 32, "k": 1, "stride": 1, "groups": 1,
       "h_in": 14, "w_in": 14, "h_out": 14, "w_out": 14}
CONCAT = {**ADD, "name": "cat", "op": "concat", "cin": 48, "cout": 48, "inputs": [16, 32]}
GLOBAL_POOL = {**ADD, "name": "pool", "op": "pool", "k": 14, "kh": 14, "kw": 14, "h_out": 1, "w_out": 1}


@pytest.mark.parametrize("layer", [ADD, CONCAT], ids=["add", "concat"])
@pytest.mark.parametrize("form", ["k0", "no_k"])
def test_kernel_less_ops_accept_k0_or_no_k(layer, form):
    """An exporter may write k: 0 or leave k out for add and concat; they mean the same as k: 1."""
    given = {**layer, "k": 0} if form == "k0" else _without_k(layer)
    assert check_layer(given) == check_layer(layer)
    assert simulate([given], "tensor-g1").to_dict() == simulate([layer], "tensor-g1").to_dict()


@pytest.mark.parametrize("form", ["k0", "no_k"])
def test_global_pool_without_k(form):
    """A pool with k: 0 or no k (and no kh/kw) pools over its whole input, like an explicit kh x kw kernel."""
    given = {key: value for key, value in GLOBAL_POOL.items() if key not in ("k", "kh", "kw")}
    if form == "k0":
        given["k"] = 0
    _, key = check_layer(given)
    assert (key.kh, key.kw, key.pool) == (14, 14, "avg") and key == check_layer(GLOBAL_POOL)[1]
    rect = {**given, "w_in": 7}
    assert check_layer(rect)[1][3:5] == (14, 7)
    with pytest.raises(ValueError, match="h_out = w_out = 1 for a pool without k"):
        check_layer({**given, "h_out": 7, "w_out": 7})


@pytest.mark.parametrize(
    ("layer", "needle"),
    [
        (conv(k=0), r"k=0 is invalid: expected a positive int \(or 0 / no k for the kernel-less ops add, concat"),
        (_without_k(conv()), r"missing key\(s\) \['k'\]"),
        ({**ADD, "k": -1}, "k=-1 is invalid"),
        ({**ADD, "k": False}, "k=False is invalid"),
        ({**ADD, "k": 3}, "expected k = stride = 1"),
    ],
)
def test_k_is_required_where_there_is_a_kernel(layer, needle):
    with pytest.raises(ValueError, match=needle):
        check_layer(layer)
