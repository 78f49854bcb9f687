"""The paper's qualitative claims, pinned on the calibrated presets (Akin et al., CVPR-W 2022; IISWC 2022)."""

import pytest

import nasgym
from nasgym import Block
from nasgym.hw import simulate

BASE = nasgym.reference("mobilenet_edgetpu_v2_s")


def variant(stage: int, index: int, op: str, expansion: int, kernel: int = 3, group_size: int = 128):
    """MobileNetEdgeTPUV2-S with one block replaced (same C, e, k, stride)."""
    stages = [list(blocks) for blocks in BASE.stages]
    old = stages[stage][index]
    grouped = op == "ibn_fused_grouped"
    stages[stage][index] = Block(op, old.filters, kernel, expansion, old.stride, group_size if grouped else None)
    return BASE.replace(stages=tuple(tuple(blocks) for blocks in stages))


def latency_and_params(arch):
    report = simulate(arch, "tensor-g1", num_classes=1001)
    return report.latency_ms, report.params


@pytest.mark.parametrize("expansion", [4, 8])
def test_fused_beats_depthwise_early(expansion):
    # stage 1 entry: 24 -> 48 channels, 112x112 -> 56x56 (high resolution, narrow)
    fused, _ = latency_and_params(variant(1, 0, "ibn_fused", expansion))
    dw, _ = latency_and_params(variant(1, 0, "ibn_dw", expansion))
    assert fused < dw


@pytest.mark.parametrize(("stage", "index"), [(5, 1), (6, 0)])
@pytest.mark.parametrize("kernel", [3, 5])
def test_late_stage_depthwise_fastest_and_gc_ibn_between(stage, index, kernel):
    # 7x7 stages with 192 -> 192 / 256 channels, e = 4, GC-IBN group size 128
    fused = latency_and_params(variant(stage, index, "ibn_fused", 4, kernel))
    gc = latency_and_params(variant(stage, index, "ibn_fused_grouped", 4, kernel))
    dw = latency_and_params(variant(stage, index, "ibn_dw", 4, kernel))
    assert dw[0] < gc[0] < fused[0]
    assert dw[1] < gc[1] < fused[1]


def test_mobilenet_edgetpu_v2_family_is_ordered():
    latencies = [simulate(nasgym.reference(f"mobilenet_edgetpu_v2_{v}"), "tensor-g1", num_classes=1001).latency_ms
                 for v in ("tiny", "xs", "s", "m", "l")]
    assert latencies == sorted(latencies) and len(set(latencies)) == 5


def test_coral_parameters_beyond_cache_are_far_slower_per_mac():
    fits = simulate(nasgym.reference("mobilenet_edgetpu_v2_s"), "coral-usb", num_classes=1001)
    spills = simulate(nasgym.reference("mobilenet_edgetpu_v2_l"), "coral-usb", num_classes=1001)
    assert fits.fits_on_chip and not spills.fits_on_chip
    ops = sum(layer.ops for layer in spills.layers)  # the cache is filled in order, the excess streams
    assert spills.streamed_bytes == spills.param_bytes - nasgym.hw.load_hardware("coral-usb").cache_bytes(ops) > 0
    assert spills.latency_ms / spills.macs > 1.5 * fits.latency_ms / fits.macs
    # the same network with a cache large enough runs at the cached rate again
    big_cache = simulate(nasgym.reference("mobilenet_edgetpu_v2_l"), "coral-usb", num_classes=1001,
                         param_cache_mib=64)
    assert big_cache.latency_ms < spills.latency_ms / 2
