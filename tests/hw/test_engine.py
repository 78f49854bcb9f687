"""The analytical mapping: exact cycle counts for hand-computed layers, streaming, bounds and report invariants."""

import pytest

from nasgym.hw import load_hardware, simulate

CLEAN = dict(compute_efficiency=1.0, depthwise_efficiency=0.5, layer_overhead_cycles=1000, invoke_overhead_ms=0.0,
             host_gbps=1e9, activation_bytes_per_cycle=512, param_bytes_per_cycle=2048)


def conv(cin, cout, k=1, groups=1, size=8, stride=1, name="c"):
    out = -(-size // stride)
    return {"name": name, "op": "conv", "cin": cin, "cout": cout, "k": k, "stride": stride, "groups": groups,
            "h_in": size, "w_in": size, "h_out": out, "w_out": out}


def fc(cin, cout, name="fc"):
    return {"name": name, "op": "fc", "cin": cin, "cout": cout, "k": 1, "stride": 1, "groups": 1,
            "h_in": 1, "w_in": 1, "h_out": 1, "w_out": 1}


def row(layer, **overrides):
    return simulate([layer], load_hardware("coral-usb", **{**CLEAN, **overrides})).layers[0]


def test_full_width_pointwise_conv_runs_at_full_utilization():
    r = row(conv(64, 64))
    # 1 lane tile x 1 column tile x 64 positions = 64 compute cycles (weights and activations take fewer)
    assert r.cycles == pytest.approx(64 + 1000)
    assert r.macs == 64 * 64 * 64
    assert r.macs / (64 * 4096) == 1.0
    assert r.bound == "overhead"
    assert row(conv(64, 64), layer_overhead_cycles=0).utilization == pytest.approx(1.0)


def test_narrow_layers_leave_lanes_idle():
    narrow = row(conv(16, 64), layer_overhead_cycles=0)
    assert narrow.cycles == pytest.approx(64)          # same tiles as 64 -> 64
    assert narrow.utilization == pytest.approx(0.25)   # but a quarter of the MACs
    few_out = row(conv(64, 16), layer_overhead_cycles=0)
    assert few_out.utilization == pytest.approx(0.25)  # a quarter of the columns


def test_kernel_taps_pack_into_lanes_for_narrow_inputs():
    # cin 16: 4 taps per 64-lane tile, 9 taps -> 3 tiles; cin 64: one tile per tap -> 9 tiles
    assert row(conv(16, 64, k=3), layer_overhead_cycles=0).cycles == pytest.approx(3 * 64)
    assert row(conv(64, 64, k=3), layer_overhead_cycles=0).cycles == pytest.approx(9 * 64)
    assert row(conv(3, 64, k=3), layer_overhead_cycles=0).cycles == pytest.approx(1 * 64)


def test_depthwise_runs_at_low_utilization():
    r = row(conv(64, 64, k=3, groups=64), layer_overhead_cycles=0)
    assert r.op == "dwconv"
    assert r.cycles == pytest.approx(64 / 0.5)  # 1 tap tile x 1 column tile x 64 positions / efficiency
    assert r.utilization == pytest.approx(9 * 64 * 64 / (128 * 4096))
    assert r.utilization < 0.1


def test_group_conv_runs_as_per_group_convs_plus_concat():
    r = row(conv(128, 128, k=3, groups=2))
    assert r.op == "gconv" and r.ops == 3
    # per group: 9 lane tiles x 1 column tile x 64 positions; concat copies the output twice at 512 B/cycle
    assert r.cycles == pytest.approx(2 * 9 * 64 + 2 * 128 * 64 / 512 + 3 * 1000)
    dense = row(conv(128, 128, k=3))
    assert dense.ops == 1 and dense.params == 2 * r.params - 2 * 128


def test_compute_efficiency_and_clock_scale_compute():
    base = row(conv(64, 64, size=32), layer_overhead_cycles=0)
    assert row(conv(64, 64, size=32), layer_overhead_cycles=0, compute_efficiency=0.5).ms == pytest.approx(2 * base.ms)
    assert row(conv(64, 64, size=32), layer_overhead_cycles=0, clock_mhz=250).ms == pytest.approx(2 * base.ms)


def test_vector_ops_and_memory_bound():
    add = {"name": "add", "op": "add", "cin": 64, "cout": 64, "k": 1, "stride": 1, "groups": 1,
           "h_in": 8, "w_in": 8, "h_out": 8, "w_out": 8}
    r = row(add, layer_overhead_cycles=0, vector_ops_per_cycle=64)
    assert r.macs == 0 and r.cycles == pytest.approx(max(4096 / 64, 3 * 4096 / 512))
    big = row(fc(2048, 2048), layer_overhead_cycles=0, param_bytes_per_cycle=64)
    assert big.bound == "memory"
    # weights + int32 bias at 64 B/cycle, plus 2048 + 2048 activation bytes at 512 B/cycle (compute: 32 x 32 tiles)
    assert big.cycles == pytest.approx((2048 * 2048 + 4 * 2048) / 64 + 4096 / 512)


def test_parameters_beyond_cache_stream_exactly_the_excess_or_all():
    layers = [fc(1024, 1024, "a"), fc(1024, 1024, "b")]  # 1,052,672 bytes each
    each = 1024 * 1024 + 4 * 1024
    fits = simulate(layers, load_hardware("coral-usb", **CLEAN))
    assert fits.fits_on_chip and fits.streamed_bytes == 0
    small = dict(CLEAN, param_cache_mib=1.5, executable_kib_per_op=4, offchip_gbps=0.5)
    excess = simulate(layers, load_hardware("coral-usb", **small, param_streaming="excess"))
    cache = 1.5 * 2**20 - 2 * 4096  # the executable of the two ops takes 4 KiB each
    assert not excess.fits_on_chip and excess.streamed_bytes == 2 * each - cache  # "a" is cached, "b" in part
    assert [r.bytes_offchip for r in excess.layers] == [0, 2 * each - cache]
    # "b": 16 x 16 tiles x 1 position = 256 compute cycles (its cached part and activations take 254); its streamed
    # bytes are read at 0.5 GB/s before it runs, then the 1000-cycle fixed cost
    assert excess.layers[1].ms == pytest.approx(256 / 500e3 + (2 * each - cache) / 0.5e6 + 1000 / 500e3)
    every = simulate(layers, load_hardware("coral-usb", **small, param_streaming="all"))
    assert every.streamed_bytes == 2 * each
    assert every.layers[0].ms == pytest.approx(256 / 500e3 + each / 0.5e6 + 1000 / 500e3)
    assert fits.latency_ms < excess.latency_ms < every.latency_ms
    # 2.008 MiB of parameters fit 2.02 MiB of memory, but not beside an executable of 2 x 8 KiB
    edge = dict(CLEAN, param_cache_mib=2.02)
    assert simulate(layers, load_hardware("coral-usb", **edge, executable_kib_per_op=0)).fits_on_chip
    assert not simulate(layers, load_hardware("coral-usb", **edge, executable_kib_per_op=8)).fits_on_chip


def test_the_cache_fills_in_execution_order():
    """The first layers' parameters are cached; the layers after the cache is full stream theirs."""
    layers = [fc(1024, 1024, "a"), fc(1024, 1024, "b"), fc(1024, 1024, "c")]
    each = 1024 * 1024 + 4 * 1024
    hw = load_hardware("coral-usb", **CLEAN, param_cache_mib=each / 2**20 * 1.5, executable_kib_per_op=0,
                       param_streaming="excess")
    report = simulate(layers, hw)
    assert [r.bytes_offchip for r in report.layers] == pytest.approx([0, each / 2, each])
    assert report.streamed_bytes == pytest.approx(1.5 * each)


def test_asymmetric_kernels_map_their_taps_without_square_padding():
    """A 1x7 (or 7x1) conv packs 7 taps x cin into lane tiles, like a 1x1 conv over 7 x cin channels, not a 7x7."""
    def one(kh, kw, cin):
        layer = conv(cin, 64, size=16, name="k")
        layer.update(kh=kh, kw=kw, k=max(kh, kw))
        return row(layer, layer_overhead_cycles=0)

    wide = row(conv(7 * 64, 64, size=16), layer_overhead_cycles=0)
    assert one(1, 7, 64).cycles == one(7, 1, 64).cycles == wide.cycles
    assert one(1, 7, 64).cycles == pytest.approx(7 * 256)  # 7 lane tiles x 1 column tile x 256 positions
    assert one(7, 7, 64).cycles == pytest.approx(49 * 256)


def test_a_concat_costs_its_copy():
    """A concat reads its inputs and writes its output through the activation memories (no MACs, no weights)."""
    cat = {"name": "cat", "op": "concat", "cin": 96, "cout": 96, "stride": 1, "groups": 1, "h_in": 16, "w_in": 16,
           "h_out": 16, "w_out": 16, "inputs": [64, 32]}
    r = row(cat)
    assert r.cycles == pytest.approx(2 * 96 * 256 / 512 + 1000) and r.macs == 0 and r.param_bytes == 0
    assert r.bytes_onchip == 2 * 96 * 256
    # beyond the activation memories the excess goes off chip (at offchip_gbps)
    spill = row(cat, pe_memory_kib=1, offchip_gbps=0.5)
    assert spill.bytes_offchip == 2 * 96 * 256 - 16 * 1024
    assert spill.ms == pytest.approx(2 * 96 * 256 / 512 / 500e3 + (2 * 96 * 256 - 16 * 1024) / 0.5e6 + 1000 / 500e3)


def test_report_totals_are_sums():
    hw = load_hardware("coral-usb")
    layers = [conv(3, 32, k=3, size=64, stride=2, name="stem"), conv(32, 32, k=3, groups=32, size=32, name="dw"),
              conv(32, 64, name="pw"), fc(64, 10)]
    layers[-2].update(h_in=32, w_in=32, h_out=32, w_out=32)
    pool = {"name": "pool", "op": "pool", "cin": 64, "cout": 64, "k": 32, "stride": 1, "groups": 1, "h_in": 32,
            "w_in": 32, "h_out": 1, "w_out": 1, "pool": "avg"}
    report = simulate(layers[:3] + [pool, layers[3]], hw)
    assert report.host_ms == pytest.approx((64 * 64 * 3 + 10) / (hw.host_gbps * 1e6))
    assert report.latency_ms == pytest.approx(hw.invoke_overhead_ms + report.host_ms + sum(r.ms for r in report.layers))
    static = hw.static_power_mw * report.latency_ms * 1e-3
    assert report.energy_mj == pytest.approx(static + sum(r.energy_mj for r in report.layers)
                                             + (64 * 64 * 3 + 10) * hw.energy_pj_per_byte_offchip * 1e-9)
    assert report.macs == sum(r.macs for r in report.layers)
    assert sum(report.bound_ms().values()) == pytest.approx(sum(r.ms for r in report.layers))
    assert all(0 <= r.utilization <= 1 for r in report.layers)
    assert [r.op for r in report.layers] == ["conv", "dwconv", "conv", "pool", "fc"]


@pytest.mark.parametrize("hardware", ["coral-usb", "coral-pcie", "tensor-g1"])
def test_cost_model_totals_equal_the_report(hardware):
    import numpy as np

    import nasgym
    from nasgym.hw.engine import network_totals
    from nasgym.hw.layers import check_layers
    from nasgym.hw.rows import key_row
    from nasgym.hw.zoo import zoo_layers, zoo_names

    space = nasgym.load_space("edgetpu-v2")
    rng = np.random.default_rng(7)
    networks = [nasgym.lower(space.sample(rng)) for _ in range(20)] + [zoo_layers(name) for name in zoo_names()]
    up = conv(32, 16, k=2, size=8, name="up")
    up.update(stride=2, h_out=16, w_out=16, transposed=True)
    resize = {"name": "resize", "op": "resize", "cin": 16, "cout": 16, "k": 1, "stride": 1, "groups": 1,
              "h_in": 16, "w_in": 16, "h_out": 32, "w_out": 32}
    networks.append([conv(3, 32, k=3, size=16, stride=2, name="stem"), up, resize])
    for overrides in ({}, {"param_cache_mib": 2.0, "param_streaming": "excess"}, {"pe_memory_kib": 16}):
        hw = load_hardware(hardware, **overrides)
        for layers in networks:
            _, keys = check_layers(layers)
            rows = [key_row(key) for key in keys]
            first, last = keys[0], keys[-1]
            in_bytes, out_bytes = first.cin * first.h_in * first.w_in, last.cout * last.h_out * last.w_out
            fast = network_totals(rows, in_bytes, out_bytes, hw)
            full = simulate(layers, hw).totals()
            assert fast == pytest.approx(full, rel=1e-12)
