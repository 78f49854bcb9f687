import math

import numpy as np
import pytest

import nasgym
from nasgym.space import canonical_action, space_from_dict

TINY_SPACE = {
    "name": "tiny-test",
    "input_shape": [32, 32, 3],
    "stem": {"filters": [8, 12], "kernels": [3]},
    "head": {"filters": [32]},
    "defaults": {"ops": ["ibn_dw", "ibn_fused_grouped", "ibn_grouped", "skip"], "kernels": [3, 5],
                 "expansions": [1, 2], "group_sizes": [8, 16]},
    "stages": [
        {"blocks": 1, "stride": 1, "widths": [8, 16]},
        {"blocks": 2, "stride": 2, "widths": [16, 24]},
    ],
}


def enumerate_all(space):
    """Every valid decision sequence, by depth-first search over the masks."""
    found = []

    def walk(cursor_indices):
        cursor = space.cursor()
        for index in cursor_indices:
            cursor.choose(index)
        if cursor.done:
            found.append(cursor.architecture())
            return
        for index in np.flatnonzero(cursor.mask()):
            walk([*cursor_indices, int(index)])

    walk([])
    return found


def test_size_matches_brute_force_enumeration():
    space = space_from_dict(TINY_SPACE)
    archs = enumerate_all(space)
    assert len({arch.hash for arch in archs}) == len(archs)  # valid sequences decode to distinct networks
    assert space.count_architectures() == len(archs)
    assert space.size() == pytest.approx(math.log10(len(archs)))
    for arch in archs[:: max(1, len(archs) // 50)]:
        assert space.decode(space.encode(arch)) == arch


def test_shipped_spaces():
    assert nasgym.space_names() == ["edgetpu-v2", "ibn-dw-only", "proxy", "proxy-dw-only"]
    v2 = nasgym.load_space("edgetpu-v2")
    assert len(v2.decisions) == 86 and v2.max_choices == 5
    assert 37 < v2.size() < 38
    assert nasgym.load_space("ibn-dw-only").size() < v2.size()
    assert nasgym.load_space("proxy").size() < 12


def test_the_depthwise_only_proxy_space_is_the_proxy_space_without_fused_and_grouped_blocks():
    proxy, dw = nasgym.load_space("proxy"), nasgym.load_space("proxy-dw-only")
    rng = np.random.default_rng(4)
    archs = [dw.sample(rng) for _ in range(300)]
    assert all(proxy.contains(a) for a in archs)
    assert {b.op for a in archs for b in a.blocks} == {"ibn_dw", "skip"}
    assert {len(a.blocks) for a in archs} == {7} and dw.size() < proxy.size()
    assert not dw.contains(nasgym.Architecture.parse(
        "in224x224x3|stem:k3o16s2|fused:k3e1o16s1|dw:k3e2o24s2|dw:k3e4o24s2,dw:k5e4o24s1|dw:k5e4o64s2,skip:k1e1o64s1"
        "|dw:k5e2o64s2|top:o256"))


def test_decision_order():
    names = [d.name for d in nasgym.load_space("edgetpu-v2").decisions]
    assert names[:4] == ["stem.filters", "stem.kernel", "s0.width", "s1.width"]
    assert names[4:8] == ["s1b0.op", "s1b0.kernel", "s1b0.expansion", "s1b0.group_size"]
    assert names[-1] == "head.filters"


@pytest.mark.parametrize("variant", ["tiny", "xs", "s", "m", "l"])
def test_published_v2_nets_are_members(variant):
    space = nasgym.load_space("edgetpu-v2")
    arch = nasgym.reference(f"mobilenet_edgetpu_v2_{variant}")
    indices = space.encode(arch)
    assert space.decode(indices) == arch
    assert space.contains(arch)
    assert not nasgym.load_space("ibn-dw-only").contains(arch)


def test_non_members_are_rejected():
    space = nasgym.load_space("edgetpu-v2")
    with pytest.raises(ValueError, match=r"not in space 'edgetpu-v2': blocks per stage \[1, 4, 4, 8, 5\]"):
        space.encode(nasgym.reference("mobilenet_edgetpu_v1_dm1.0"))
    assert not space.contains(nasgym.reference("mobilenet_v2_1.0"))


def test_masks_follow_the_rules():
    space = nasgym.load_space("edgetpu-v2")
    cursor = space.cursor()
    cursor.choose(0)  # stem 32
    cursor.choose(0)  # stem kernel 3
    cursor.choose(0)  # s0 width 16
    cursor.choose(0)  # s1 width 32
    assert cursor.decision.name == "s1b0.op"
    ops = cursor.decision.choices
    assert not cursor.mask()[ops.index("skip")]  # stride-2 first block cannot be skipped
    cursor.choose(ops.index("ibn_dw"))
    cursor.choose(0)
    cursor.choose(0)
    assert cursor.decision.kind == "group_size"
    assert cursor.mask().tolist() == [True, False, False]  # ignored for an ungrouped op
    cursor.choose(0)
    assert cursor.decision.name == "s1b1.op"
    assert cursor.mask()[ops.index("skip")]  # same shape inside the stage
    cursor.choose(ops.index("skip"))
    assert cursor.mask().tolist() == [True, False, False]  # kernel of a skipped block is ignored
    cursor.choose(0)
    cursor.choose(0)
    cursor.choose(0)
    cursor.choose(0)  # s2 width 48
    cursor.choose(ops.index("ibn_grouped"))
    cursor.choose(0)
    cursor.choose(0)  # expansion 4: 32 * 4 = 128 expanded channels
    assert cursor.mask().tolist() == [True, True, True]
    cursor.choose(2)
    arch_prefix = dict(cursor.values)
    assert arch_prefix[("group_size", 2, 0)] == 128


def test_group_size_mask_depends_on_channels():
    space = space_from_dict(TINY_SPACE)
    cursor = space.cursor()
    cursor.choose(1)  # stem 12
    cursor.choose(0)  # s0 width 8
    cursor.choose(space.decisions[2].choices.index("ibn_grouped"))
    cursor.choose(0)  # kernel 3
    assert cursor.decision.kind == "expansion"
    # 12 x 1 channels: neither group size 8 nor 16 divides them; 12 x 2 = 24: size 8 does
    assert cursor.mask().tolist() == [False, True]
    cursor.choose(1)
    assert cursor.mask().tolist() == [True, False]
    cursor.choose(0)
    assert cursor.values[("group_size", 0, 0)] == 8


def test_sampling_is_deterministic_and_valid():
    for name in nasgym.space_names():
        space = nasgym.load_space(name)
        first = [space.sample(np.random.default_rng(seed)) for seed in range(30)]
        again = [space.sample(np.random.default_rng(seed)) for seed in range(30)]
        assert first == again
        assert len({arch.hash for arch in first}) == 30
        for arch in first:
            assert space.contains(arch)


def test_canonical_action():
    mask = np.array([False, True, False, True])
    assert canonical_action(mask, 1) == 1
    assert canonical_action(mask, 2) == 1  # tie between 1 and 3 goes low
    assert canonical_action(mask, 0) == 1
    assert canonical_action(mask, 99) == 3
    assert canonical_action(mask, -5) == 1
    space = nasgym.load_space("proxy")
    cursor = space.cursor()
    rng = np.random.default_rng(0)
    while not cursor.done:
        used = cursor.choose(int(rng.integers(0, space.max_choices)), canonicalize=True)
        assert cursor.space.mask_for(cursor.position - 1, {}) is not None and used >= 0
    assert space.contains(cursor.architecture())


def test_invalid_choices_raise():
    space = nasgym.load_space("edgetpu-v2")
    cursor = space.cursor()
    with pytest.raises(ValueError, match=r"choice index 7 for stem.filters is invalid"):
        cursor.choose(7)
    with pytest.raises(ValueError, match="needs 86 decisions, got 2 indices"):
        space.decode([0, 0])
    with pytest.raises(ValueError, match="architecture is incomplete: 0 of 86"):
        cursor.architecture()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(colour=1), r"search space has unknown field\(s\) \['colour'\]"),
        (lambda d: d.pop("stages"), "missing the required field 'stages'"),
        (lambda d: d["stages"][0].update(ops=["ibn_xx"]), "stage 0 ops entry 'ibn_xx' is invalid"),
        (lambda d: d["stages"][0].update(kernels=[4]), "stage 0 kernels entry 4 is invalid"),
        (lambda d: d["stages"][0].update(widths=[8, 8]), r"stage 0 widths=\[8, 8\] is invalid: expected distinct"),
        (lambda d: d["stages"][0].update(widths=[]), r"stage 0 widths=\(\) is invalid: expected a non-empty list"),
        (lambda d: d["stages"][1].update(stride=3), "stage 1 stride=3 is invalid"),
        (lambda d: d["stages"][0].update(blocks=0), "stage 0 blocks=0 is invalid"),
        (lambda d: d["stages"][0].update(depth=2), r"stage 0 has unknown field\(s\) \['depth'\]"),
        (lambda d: d["stem"].update(filters=8), "stem filters=8 is invalid: expected a list"),
        (lambda d: d.update(input_shape=[32, 32]), r"input_shape=\(32, 32\) is invalid"),
        (
            lambda d: d["stages"][0].update(ops=["ibn_grouped"], group_sizes=[7]),
            "stage 0 block 0: no op in \\['ibn_grouped'\\] is valid for 8 -> 8 channels",
        ),
    ],
)
def test_bad_space_definitions(mutate, message):
    import copy

    data = copy.deepcopy(TINY_SPACE)
    mutate(data)
    with pytest.raises(ValueError, match=message):
        space_from_dict(data)


def test_bad_space_names_and_files(tmp_path):
    with pytest.raises(ValueError, match="unknown search space 'nope': expected one of edgetpu-v2, ibn-dw-only"):
        nasgym.load_space("nope")
    with pytest.raises(ValueError, match="does not exist"):
        nasgym.load_space(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("stages: [unclosed\n")
    with pytest.raises(ValueError, match="is not valid YAML"):
        nasgym.load_space(bad)
    good = tmp_path / "mine.yaml"
    import yaml

    good.write_text(yaml.safe_dump({k: v for k, v in TINY_SPACE.items() if k != "name"}))
    assert nasgym.load_space(good).name == "mine"
