"""Command line of the simulator.

    python -m nasgym.hw simulate (ARCH.json | LAYERS.json | reference-name | zoo-name | arch-string) \
        [--hardware tensor-g1] [--num-classes 1000] [--input-shape H W C] [--json]
    python -m nasgym.hw hardware [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nasgym.hw.config import hardware_names, load_hardware
from nasgym.hw.simulator import simulate
from nasgym.space.architecture import Architecture
from nasgym.space.reference import reference, reference_names


def load_network(spec: str) -> Architecture | list[dict]:
    """An Architecture or a layer list from a file path, a reference or zoo name, or a one-line arch string."""
    from nasgym.hw.zoo import zoo_layers, zoo_names

    if spec in reference_names():
        return reference(spec)
    if spec in zoo_names():
        return zoo_layers(spec)
    if "|" in spec:
        return Architecture.parse(spec)
    path = Path(spec)
    if path.suffix == ".json" or path.exists():
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise ValueError(f"cannot read {spec!r}: {err}") from err
        if isinstance(data, dict):
            return Architecture.from_dict(data)
        if isinstance(data, list):
            return data
        raise ValueError(f"{spec!r} holds {type(data).__name__}: expected an architecture object or a layer list")
    raise ValueError(
        f"network {spec!r} is unknown: expected a JSON file (architecture or layer list), an architecture string, "
        f"or one of {', '.join(reference_names() + zoo_names())}"
    )


def _hardware_table(as_json: bool) -> str:
    configs = [load_hardware(name) for name in hardware_names()]
    if as_json:
        return json.dumps({c.name: c.to_dict() for c in configs}, indent=2)
    lines = [f"{'name':<11} {'MHz':>6} {'PEs':>5} {'MAC/cyc':>8} {'TOPS':>6} {'cache MiB':>9} {'offchip GB/s':>12} "
             f"{'invoke ms':>9}  description"]
    for c in configs:
        lines.append(
            f"{c.name:<11} {c.clock_mhz:>6.0f} {c.pe_rows}x{c.pe_cols:<3} {c.macs_per_cycle:>8} {c.peak_tops:>6.2f} "
            f"{c.param_cache_mib:>9.2f} {c.offchip_gbps:>12.3g} {c.invoke_overhead_ms:>9.3f}  {c.description}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nasgym.hw", description="Edge TPU performance simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    sim = sub.add_parser("simulate", help="simulate one network and print a per-layer table")
    sim.add_argument("network", help="ARCH.json, LAYERS.json, a reference or zoo name, or an architecture string")
    sim.add_argument("--hardware", default="tensor-g1", help=f"preset ({', '.join(hardware_names())}) or YAML path")
    sim.add_argument("--num-classes", type=int, default=1000, help="classifier width of an architecture")
    sim.add_argument("--input-shape", type=int, nargs=3, metavar=("H", "W", "C"), help="input of an architecture")
    sim.add_argument("--json", action="store_true", help="machine-readable output")
    hw = sub.add_parser("hardware", help="list the hardware presets")
    hw.add_argument("--json", action="store_true", help="every field of every preset as JSON")
    args = parser.parse_args(argv)
    try:
        if args.command == "hardware":
            print(_hardware_table(args.json))
            return 0
        report = simulate(load_network(args.network), args.hardware, args.input_shape, args.num_classes)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
