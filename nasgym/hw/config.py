"""Hardware description of an Edge TPU-class accelerator (:class:`HardwareConfig`) and its YAML presets.

A preset is a YAML file in ``nasgym/hw/presets``; every field of :class:`HardwareConfig` must be present and no other
key is allowed. Users pass a preset name, a YAML path, or a config, plus keyword overrides::

    load_hardware("coral-usb", clock_mhz=250)
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

PRESET_DIR = Path(__file__).parent / "presets"
STREAMING_MODES = ("all", "excess")


@dataclass(frozen=True)
class HardwareConfig:
    """An Edge TPU in the template of Seshadri et al. (IISWC 2022): PEs x cores x SIMD lanes, weight-stationary.

    Attributes:
        name: Preset name.
        description: One line about the device and where its figures come from.
        clock_mhz: Array clock in MHz.
        pe_rows: Rows of the 2-D PE array.
        pe_cols: Columns of the 2-D PE array.
        cores_per_pe: Cores per PE (they share the PE memory).
        lanes_per_core: SIMD MAC lanes per core. Peak MACs per cycle = pe_rows * pe_cols * cores_per_pe * lanes.
        compute_efficiency: Fraction of the peak MAC rate the array sustains on a layer that fills every lane and
            column (weight loads, pipeline bubbles, scheduling): the Coral sustains well under its 4 TOPS peak.
        pe_memory_kib: Activation memory per PE in KiB. A layer whose input plus output activations exceed the
            sum over PEs spills the excess to off-chip memory.
        core_memory_kib: Private memory per core in KiB (documentation of the template; the parameter cache below
            is what the simulator uses for weights).
        param_cache_mib: On-chip memory for parameters and the inference executable, in MiB.
        executable_kib_per_op: On-chip memory the compiler reserves for the inference executable per device op
            (KiB); the parameter cache is what is left of ``param_cache_mib`` (Coral compiler documentation: "a
            small amount of the RAM is first reserved for the model's inference executable").
        param_bytes_per_cycle: Bandwidth from the parameter cache into the array (bytes per cycle).
        activation_bytes_per_cycle: Bandwidth of the activation memories (bytes per cycle; reads plus writes).
        vector_ops_per_cycle: Element operations per cycle on the vector path (adds, pooling).
        offchip_gbps: Effective bandwidth (GB/s) of off-chip traffic: streamed parameters and spilled activations
            (USB/PCIe host link on a Coral, LPDDR on a phone).
        param_streaming: "excess" when the layers fill the parameter cache in execution order and only the
            parameters of the rest are read from off-chip memory with each inference (the Edge TPU compiler reports
            cached and streamed parameters side by side); "all" when parameters that do not fit make every
            parameter stream.
        host_gbps: Host link bandwidth (GB/s) for the input and output tensors.
        invoke_overhead_ms: Fixed cost of one inference call (driver, link round trip).
        layer_overhead_cycles: Fixed cost of one op on the device (instruction issue, pipeline fill and drain).
        depthwise_efficiency: Fraction of the lanes a depthwise conv keeps busy relative to a dense conv with the
            same number of kernel taps per lane tile (depthwise convs run at low utilization).
        energy_pj_per_mac: Energy of one int8 multiply-accumulate, pJ.
        energy_pj_per_byte_onchip: Energy per byte moved to or from on-chip memory, pJ.
        energy_pj_per_byte_offchip: Energy per byte moved off chip (link or DRAM), pJ.
        static_power_mw: Power drawn for the whole duration of an inference, mW.
    """

    name: str
    description: str
    clock_mhz: float
    pe_rows: int
    pe_cols: int
    cores_per_pe: int
    lanes_per_core: int
    compute_efficiency: float
    pe_memory_kib: float
    core_memory_kib: float
    param_cache_mib: float
    executable_kib_per_op: float
    param_bytes_per_cycle: float
    activation_bytes_per_cycle: float
    vector_ops_per_cycle: float
    offchip_gbps: float
    param_streaming: str
    host_gbps: float
    invoke_overhead_ms: float
    layer_overhead_cycles: float
    depthwise_efficiency: float
    energy_pj_per_mac: float
    energy_pj_per_byte_onchip: float
    energy_pj_per_byte_offchip: float
    static_power_mw: float

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("name", "description", "param_streaming"):
                if not isinstance(value, str):
                    raise ValueError(f"hardware field {f.name}={value!r} is invalid: expected a string")
                continue
            if f.type == "int":
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise ValueError(f"hardware field {f.name}={value!r} is invalid: expected a positive int")
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"hardware field {f.name}={value!r} is invalid: expected a number")
            object.__setattr__(self, f.name, float(value))
            nonneg = f.name.startswith("energy_") or f.name in (
                "static_power_mw", "invoke_overhead_ms", "layer_overhead_cycles", "core_memory_kib",
                "executable_kib_per_op",
            )
            if (value < 0) if nonneg else not value > 0:
                expected = "a number >= 0" if nonneg else "a positive number"
                raise ValueError(f"hardware field {f.name}={value!r} is invalid: expected {expected}")
        if self.param_streaming not in STREAMING_MODES:
            raise ValueError(
                f"hardware field param_streaming={self.param_streaming!r} is invalid: expected one of "
                f"{', '.join(STREAMING_MODES)}"
            )
        for name in ("depthwise_efficiency", "compute_efficiency"):
            if getattr(self, name) > 1:
                raise ValueError(f"hardware field {name}={getattr(self, name)!r} is invalid: expected (0, 1]")

    # ------------------------------------------------------------------ derived figures
    @property
    def macs_per_cycle(self) -> int:
        """Peak MACs per cycle of the whole array."""
        return self.pe_rows * self.pe_cols * self.cores_per_pe * self.lanes_per_core

    @property
    def columns(self) -> int:
        """Parallel output-channel slots: PEs x cores (each core's lanes reduce over one output channel)."""
        return self.pe_rows * self.pe_cols * self.cores_per_pe

    @property
    def peak_tops(self) -> float:
        """Peak int8 TOPS (2 ops per MAC)."""
        return 2 * self.macs_per_cycle * self.clock_mhz * 1e6 / 1e12

    @property
    def param_cache_bytes(self) -> float:
        """On-chip parameter memory in bytes, before the executable's share (see :meth:`cache_bytes`)."""
        return self.param_cache_mib * 2**20

    def cache_bytes(self, ops: int) -> float:
        """Bytes left for caching parameters in a network of ``ops`` device ops (the executable takes the rest)."""
        left = self.param_cache_mib * 2**20 - ops * self.executable_kib_per_op * 1024
        return left if left > 0 else 0.0

    @property
    def activation_memory_bytes(self) -> float:
        """Total activation memory (all PEs) in bytes."""
        return self.pe_rows * self.pe_cols * self.pe_memory_kib * 1024

    def to_dict(self) -> dict:
        """Plain dict of every field (YAML/JSON-ready)."""
        return dataclasses.asdict(self)

    def replace(self, **overrides: object) -> HardwareConfig:
        """A validated copy with some fields changed; unknown names raise ``ValueError``."""
        _check_keys(overrides, f"overrides for {self.name}", require_all=False)
        return dataclasses.replace(self, **overrides)

    @property
    def content_hash(self) -> str:
        """12-hex-digit hash of every field value (identifies the configuration in fingerprints)."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha1(text.encode()).hexdigest()[:12]


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(HardwareConfig))


def _check_keys(data: dict, where: str, require_all: bool = True) -> None:
    unknown = sorted(set(data) - set(FIELD_NAMES))
    missing = sorted(set(FIELD_NAMES) - set(data)) if require_all else []
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(f"unknown field(s) {unknown}")
        if missing:
            parts.append(f"missing field(s) {missing}")
        raise ValueError(f"{where} has {' and '.join(parts)}: expected the fields {list(FIELD_NAMES)}")


def hardware_names() -> list[str]:
    """Names of the shipped presets (the YAML files in ``nasgym/hw/presets``)."""
    return sorted(path.stem for path in PRESET_DIR.glob("*.yaml"))


def preset_path(name: str) -> Path:
    """Path of the preset YAML called ``name``."""
    path = PRESET_DIR / f"{name}.yaml"
    if "/" in name or "\\" in name or not path.is_file():
        names = hardware_names()
        raise ValueError(f"unknown hardware {name!r}: expected one of {', '.join(names)} or a path to a YAML file")
    return path


# Parsed files: absolute path -> (file content, config). Configs are frozen, so callers share them. The file is
# read on every call (a few microseconds) and parsed again only when its bytes changed: an mtime can miss an edit that
# keeps the size within one timestamp tick.
_PARSED: dict[str, tuple[bytes, HardwareConfig]] = {}


def config_from_yaml(path: str | Path) -> HardwareConfig:
    """Read and validate one hardware YAML file (parsed once per content of the file, then shared)."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as err:
        raise ValueError(f"hardware file {str(path)!r} cannot be read: {err}") from err
    key = os.path.abspath(path)
    cached = _PARSED.get(key)
    if cached is not None and cached[0] == content:
        return cached[1]
    config = _parse_yaml(path, content)
    _PARSED[key] = (content, config)
    return config


def _parse_yaml(path: Path, content: bytes) -> HardwareConfig:
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as err:
        raise ValueError(f"hardware file {str(path)!r} cannot be read: {err}") from err
    if not isinstance(data, dict):
        raise ValueError(f"hardware file {str(path)!r} is invalid: expected a mapping of fields")
    _check_keys(data, f"hardware file {str(path)!r}")
    return HardwareConfig(**data)


def load_hardware(spec: str | Path | HardwareConfig = "tensor-g1", **overrides: object) -> HardwareConfig:
    """A hardware config from a preset name, a YAML path or a config, with optional field overrides.

    Raises:
        ValueError: unknown preset (the valid names are listed), unreadable or invalid YAML, unknown or missing
            fields, or field values out of range.
    """
    if isinstance(spec, HardwareConfig):
        config = spec
    elif isinstance(spec, Path) or (isinstance(spec, str) and spec.endswith((".yaml", ".yml"))):
        config = config_from_yaml(spec)
    elif isinstance(spec, str):
        config = config_from_yaml(preset_path(spec))
    else:
        raise ValueError(
            f"hardware={spec!r} is invalid: expected a preset name ({', '.join(hardware_names())}), a YAML path "
            "or a HardwareConfig"
        )
    return config.replace(**overrides) if overrides else config
