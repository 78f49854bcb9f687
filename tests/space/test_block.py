import pytest

from nasgym.space.block import OPS, Block


def test_valid_blocks_and_token_round_trip():
    blocks = [
        Block("ibn_dw", 32, 5, 4, 2),
        Block("ibn_fused", 16, 3, 1, 1),
        Block("ibn_fused_grouped", 48, 3, 4, 1, group_size=64),
        Block("ibn_grouped", 64, 7, 8, 2, group_size=32, residual=False),
        Block.skip(24),
    ]
    for block in blocks:
        assert Block.parse(block.token()) == block
        assert Block.from_dict(block.to_dict()) == block
    assert blocks[2].token() == "gcfused:k3e4o48s1g64"
    assert blocks[3].token().endswith("n")


def test_groups_and_expansion():
    block = Block("ibn_fused_grouped", 32, 3, 4, 1, group_size=64)
    assert block.expanded(32) == 128
    assert block.groups(32) == 2
    assert Block("ibn_dw", 32, 3, 4).groups(32) == 1


def test_residual_rule():
    assert Block("ibn_dw", 32, 3, 4, 1).has_residual(32)
    assert not Block("ibn_dw", 32, 3, 4, 2).has_residual(32)
    assert not Block("ibn_dw", 48, 3, 4, 1).has_residual(32)
    assert not Block("ibn_dw", 32, 3, 4, 1, residual=False).has_residual(32)
    assert not Block.skip(32).has_residual(32)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"op": "conv", "filters": 8}, "op='conv' is invalid: expected one of ibn_dw"),
        ({"op": "ibn_dw", "filters": 0}, "filters=0 is invalid: expected a positive int"),
        ({"op": "ibn_dw", "filters": 8, "kernel": 4}, "kernel=4 is invalid: expected one of"),
        ({"op": "ibn_dw", "filters": 8, "expansion": 0}, "expansion=0 is invalid"),
        ({"op": "ibn_dw", "filters": 8, "stride": 3}, "stride=3 is invalid: expected one of (1, 2)"),
        ({"op": "ibn_dw", "filters": 8, "group_size": 4}, "group_size=4 is invalid for op ibn_dw"),
        ({"op": "ibn_grouped", "filters": 8}, "group_size=None is invalid"),
        ({"op": "skip", "filters": 8, "kernel": 3}, "skip block has kernel=3"),
        ({"op": "skip", "filters": 8, "kernel": 1, "stride": 2}, "stride=2 is invalid for op skip"),
        ({"op": "ibn_dw", "filters": 8, "residual": "yes"}, "residual='yes' is invalid"),
    ],
)
def test_invalid_fields_name_the_value(kwargs, message):
    with pytest.raises(ValueError) as err:
        Block(**kwargs)
    assert message in str(err.value)


def test_channel_divisibility_errors():
    with pytest.raises(ValueError, match="group_size=64 does not divide the 96 expanded channels"):
        Block("ibn_grouped", 24, 3, 4, group_size=64).check_input(24)
    with pytest.raises(ValueError, match="6 input channels cannot be split into 12 groups"):
        Block("ibn_fused_grouped", 32, 3, 8, group_size=4).check_input(6)
    with pytest.raises(ValueError, match="skip needs equal input and output channels"):
        Block.skip(32).check_input(16)


def test_bad_token_and_dict():
    with pytest.raises(ValueError, match="block token 'xx:k3' is invalid"):
        Block.parse("xx:k3")
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['colour'\]"):
        Block.from_dict({"op": "ibn_dw", "filters": 8, "colour": "red"})
    assert set(OPS) == {"ibn_dw", "ibn_fused", "ibn_fused_grouped", "ibn_grouped", "skip"}
