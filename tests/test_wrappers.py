"""Action modes: per-block MultiDiscrete units and the continuous Box mode."""

import gymnasium as gym
import numpy as np
import pytest

from nasgym.wrappers import BoxActions, MultiDiscreteActions, decision_units, episode_length, wrap_action_mode


@pytest.mark.parametrize("space", ["proxy", "edgetpu-v2"])
def test_units_partition_the_decisions_one_block_each(space, fake_env):
    env = fake_env(space)
    units = decision_units(env)
    assert units[0][0] == 0 and units[-1][1] == len(env.space.decisions)
    assert all(a[1] == b[0] for a, b in zip(units[:-1], units[1:], strict=True))
    for start, stop in units:
        blocks = {(d.stage, d.block) for d in env.space.decisions[start:stop] if d.block is not None}
        assert len(blocks) <= 1
    block_keys = {(d.stage, d.block) for d in env.space.decisions if d.block is not None}
    assert len(units) == len(block_keys)  # every unit holds exactly one block's decisions


def test_proxy_units_are_exact(fake_env):
    env = fake_env()
    assert decision_units(env) == [(0, 2), (2, 7), (7, 12), (12, 16), (16, 21), (21, 25), (25, 30)]
    wrapped = MultiDiscreteActions(env)
    assert wrapped.action_space == gym.spaces.MultiDiscrete([5] * 5) and episode_length(wrapped) == 7


def test_multidiscrete_episode_equals_the_flat_episode(fake_env):
    rng = np.random.default_rng(0)
    flat_env, wrapped = fake_env(), MultiDiscreteActions(fake_env())
    flat_env.reset(seed=1)
    wrapped.reset(seed=1)
    for step, (start, stop) in enumerate(wrapped.units):
        action = rng.integers(0, 5, wrapped.width)
        for j in range(stop - start):
            flat = flat_env.step(int(action[j]))
        result = wrapped.step(action)
        assert np.array_equal(result[0], flat[0]) and result[2] == (step == len(wrapped.units) - 1)
    assert result[4]["arch"] == flat[4]["arch"] and result[1] == flat[1]


def test_multidiscrete_masks_and_bad_actions(fake_env):
    wrapped = MultiDiscreteActions(fake_env())
    wrapped.reset(seed=0)
    masks = wrapped.action_masks()
    assert masks.shape == (25,) and masks[5:].all()
    assert np.array_equal(masks[:5], wrapped.nas.action_masks())
    with pytest.raises(ValueError, match=r"expected an integer array of shape \(5,\)"):
        wrapped.step(np.array([1, 2]))
    with pytest.raises(ValueError, match=r"out of range at entry 2 \(value 7\): expected entries in \[0, 4\]"):
        wrapped.step(np.array([0, 1, 7, 0, 0]))
    with pytest.raises(ValueError, match="expected an integer array"):
        wrapped.step(np.zeros(5))


def test_box_maps_onto_the_valid_choices(fake_env):
    wrapped = BoxActions(fake_env())
    wrapped.reset(seed=0)
    nas = wrapped.nas
    for value in (-1.0, 1.0, 0.0, 0.3, -0.99):
        wrapped.reset(seed=0)
        while not nas.cursor.done:
            valid = np.flatnonzero(nas.cursor.mask())
            k = min(int((value + 1) / 2 * len(valid)), len(valid) - 1)
            wrapped.step(np.array([value], dtype=np.float32))
            assert nas.cursor.indices[-1] == valid[k]
    wrapped.reset(seed=0)
    wrapped.step(np.array([-1.0], dtype=np.float32))
    assert nas.cursor.indices[-1] == np.flatnonzero(nas.space.mask_for(0, {}))[0]


@pytest.mark.parametrize(("action", "match"), [
    (np.array([1.5], dtype=np.float32), r"action 1.5 is out of range: expected a float in \[-1, 1\]"),
    (np.array([np.nan]), r"action nan is out of range"),
    (np.array([0.1, 0.2]), r"expected a float array of shape \(1,\) in \[-1, 1\]"),
    ("x", r"expected a float array of shape \(1,\)"),
])
def test_box_bad_actions(action, match, fake_env):
    wrapped = BoxActions(fake_env())
    wrapped.reset(seed=0)
    with pytest.raises(ValueError, match=match):
        wrapped.step(action)


def test_wrap_action_mode_rejects_unknown_modes(fake_env):
    env = fake_env()
    assert wrap_action_mode(env, "discrete") is env
    with pytest.raises(ValueError, match="mode 'joystick' is invalid: expected one of discrete, multidiscrete, box"):
        wrap_action_mode(env, "joystick")
