"""Load search spaces from YAML: shipped ones by name, user ones by path.

YAML schema (every key optional unless marked)::

    name: my-space                      # defaults to the file stem
    description: free text
    input_shape: [224, 224, 3]          # deployment input (height, width, channels)
    stem: {filters: [32, 64], kernels: [3, 5], stride: 2}
    head: {filters: [1280]}
    defaults: {ops: [...], kernels: [...], expansions: [...], group_sizes: [...]}
    stages:                             # required
      - {blocks: 2, stride: 2, widths: [32, 48], ops: [ibn_fused, skip]}   # per-stage overrides of defaults
"""

from __future__ import annotations

from pathlib import Path

from nasgym.files import read_yaml
from nasgym.space.search_space import SearchSpace
from nasgym.space.spec import STAGE_FIELDS, StageSpec

SPACES_DIR = Path(__file__).parent / "spaces"
_TOP_FIELDS = {"name", "description", "input_shape", "stem", "head", "defaults", "stages"}
_CHOICE_FIELDS = ("ops", "kernels", "expansions", "group_sizes")


def space_names() -> list[str]:
    """Names of the shipped search spaces."""
    return sorted(path.stem for path in SPACES_DIR.glob("*.yaml"))


def load_space(name_or_path: str | Path) -> SearchSpace:
    """A shipped space by name (see :func:`space_names`) or a YAML file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        if str(name_or_path) not in space_names():
            raise ValueError(
                f"unknown search space {str(name_or_path)!r}: expected one of {', '.join(space_names())} "
                "or a path to a .yaml file"
            )
        path = SPACES_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        raise ValueError(f"search space file {str(path)!r} does not exist: expected a YAML file")
    data = read_yaml(path, "search space file", f"a mapping of {', '.join(sorted(_TOP_FIELDS))}")
    return space_from_dict(data, default_name=path.stem)


def _tuple(where: str, value: object) -> tuple:
    if not isinstance(value, list):
        raise ValueError(f"{where}={value!r} is invalid: expected a list")
    return tuple(value)


def _mapping(where: str, value: object, allowed: set[str]) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{where}={value!r} is invalid: expected a mapping")
    unknown = set(value) - allowed
    if unknown:
        raise ValueError(f"{where} has unknown field(s) {sorted(unknown)}: expected some of {sorted(allowed)}")
    return value


def space_from_dict(data: object, default_name: str = "custom") -> SearchSpace:
    """Build a :class:`SearchSpace` from the parsed YAML mapping (schema in the module docstring)."""
    data = _mapping("search space", data, _TOP_FIELDS)
    if "stages" not in data:
        raise ValueError("search space is missing the required field 'stages'")
    stem = _mapping("stem", data.get("stem", {}), {"filters", "kernels", "stride"})
    head = _mapping("head", data.get("head", {}), {"filters"})
    defaults = _mapping("defaults", data.get("defaults", {}), set(_CHOICE_FIELDS))
    stages = []
    for s, raw in enumerate(_tuple("stages", data["stages"])):
        raw = _mapping(f"stage {s}", raw, set(STAGE_FIELDS))
        merged = {**defaults, **raw}
        missing = [f for f in STAGE_FIELDS if f not in merged and f != "group_sizes"]
        if missing:
            raise ValueError(f"stage {s} is missing {missing}: give them in the stage or in defaults")
        fields = {key: _tuple(f"stage {s} {key}", merged[key]) if key not in ("blocks", "stride") else merged[key]
                  for key in STAGE_FIELDS if key in merged}
        fields.setdefault("group_sizes", ())
        try:
            stages.append(StageSpec(**fields))
        except ValueError as err:
            raise ValueError(str(err).replace("stage ", f"stage {s} ", 1)) from err
    return SearchSpace(
        name=str(data.get("name", default_name)),
        stages=stages,
        stem_filters=_tuple("stem filters", stem.get("filters", [32])),
        stem_kernels=_tuple("stem kernels", stem.get("kernels", [3])),
        stem_stride=stem.get("stride", 2),
        head_filters=_tuple("head filters", head.get("filters", [1280])),
        input_shape=_tuple("input_shape", data.get("input_shape", [224, 224, 3])),
        description=str(data.get("description", "")),
    )
