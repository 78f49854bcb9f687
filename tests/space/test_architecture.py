import json

import numpy as np
import pytest

import nasgym
from nasgym import Architecture, Block


def small_arch(**changes) -> Architecture:
    stages = (
        (Block("ibn_fused", 16, 3, 1, 1),),
        (Block("ibn_dw", 24, 3, 4, 2), Block.skip(24), Block("ibn_fused_grouped", 24, 5, 4, 1, group_size=16)),
    )
    data = {"stages": stages, "stem_filters": 16, "head_filters": 64, "input_shape": (32, 32, 3)}
    data.update(changes)
    return Architecture(**data)


def test_json_round_trip_and_hash():
    arch = small_arch()
    again = Architecture.from_json(arch.to_json())
    assert again == arch and again.hash == arch.hash
    assert Architecture.from_json(arch.to_json(indent=2)) == arch
    assert len(arch.hash) == 12
    assert small_arch(head_filters=128).hash != arch.hash
    # The hash is a content hash of the canonical JSON: stable across processes and versions.
    assert arch.to_json() == json.dumps(json.loads(arch.to_json()), sort_keys=True, separators=(",", ":"))


def test_reference_hash_is_stable():
    assert nasgym.reference("mobilenet_edgetpu_v2_s").hash == "d130fa70f6d0"


def test_one_line_string_round_trip():
    for name in nasgym.reference_names():
        arch = nasgym.reference(name)
        assert Architecture.parse(arch.to_string()) == arch
    text = small_arch().to_string()
    assert text == "in32x32x3|stem:k3o16s2|fused:k3e1o16s1|dw:k3e4o24s2,skip:k1e1o24s1,gcfused:k5e4o24s1g16|top:o64"
    for seed in range(20):
        arch = nasgym.load_space("edgetpu-v2").sample(np.random.default_rng(seed))
        assert Architecture.parse(arch.to_string()) == arch


def test_structure_helpers():
    arch = small_arch()
    assert arch.depth == 3
    assert len(arch.blocks) == 4
    assert arch.output_resolution() == (8, 8)
    assert arch.replace(stem_filters=32).stem_filters == 32
    assert "gcfused" not in str(arch) and "ibn_fused_grouped" in str(arch)


def test_readable_str_of_reference():
    text = str(nasgym.reference("mobilenet_edgetpu_v2_s"))
    assert "stem   conv k5 s2 -> 64" in text
    assert "ibn_fused_grouped  k3 e4 s1 g64" in text
    assert text.count("\n") == 22


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"stem_filters": -1}, "stem_filters=-1 is invalid"),
        ({"stem_kernel": 4}, "stem_kernel=4 is invalid"),
        ({"stem_stride": 3}, "stem_stride=3 is invalid"),
        ({"head_filters": 0}, "head_filters=0 is invalid"),
        ({"input_shape": (32, 32)}, "input_shape=(32, 32) is invalid"),
        ({"input_shape": (32, 0, 3)}, "input_shape width=0 is invalid"),
        ({"stages": ()}, "stages=() is invalid"),
        ({"stages": ((),)}, "stage 0=() is invalid"),
        ({"stages": (("ibn_dw",),)}, "stage 0 holds 'ibn_dw': expected Block instances"),
        (
            {"stages": ((Block("ibn_grouped", 16, 3, 4, 1, group_size=32),),), "stem_filters": 12},
            "stage 0 block 0: group_size=32 does not divide the 48 expanded channels",
        ),
    ],
)
def test_invalid_architecture(changes, message):
    with pytest.raises(ValueError) as err:
        small_arch(**changes)
    assert message in str(err.value)


def test_skip_with_mismatched_shapes():
    with pytest.raises(ValueError, match="stage 0 block 0: skip needs equal input and output channels, got 32 -> 16"):
        Architecture(((Block.skip(16),),), stem_filters=32)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "architecture JSON is malformed"),
        ("[1, 2]", "architecture must be a JSON object, got list"),
        ('{"stages": []}', "missing keys ['head', 'input_shape', 'stem']"),
    ],
)
def test_malformed_json(text, message):
    with pytest.raises(ValueError) as err:
        Architecture.from_json(text)
    assert message in str(err.value)


def test_json_with_bad_fields():
    data = small_arch().to_dict()
    data["extra"] = 1
    with pytest.raises(ValueError, match=r"unknown keys \['extra'\]"):
        Architecture.from_dict(data)
    data = small_arch().to_dict()
    data["stages"][1][0]["op"] = "ibn_xx"
    with pytest.raises(ValueError, match="op='ibn_xx' is invalid"):
        Architecture.from_dict(data)
    data = small_arch().to_dict()
    data["format"] = 9
    with pytest.raises(ValueError, match="format=9 is unsupported"):
        Architecture.from_dict(data)
    data = small_arch().to_dict()
    data["stem"] = {"filters": 16}
    with pytest.raises(ValueError, match="stem=.* is invalid: expected keys filters, kernel, stride"):
        Architecture.from_dict(data)


def test_bad_string_form():
    with pytest.raises(ValueError, match="architecture string 'abc' is invalid"):
        Architecture.parse("abc")
    with pytest.raises(ValueError, match="block token 'dw:k3' is invalid"):
        Architecture.parse("in32x32x3|stem:k3o16s2|dw:k3|top:o64")
