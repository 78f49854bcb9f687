"""A wheel built from the repository installs a working package: env ids registered, ``nasgym.agents`` inside it.

The repository keeps ``agents/`` and ``envs/`` at the top level; ``pyproject.toml`` maps them to ``nasgym.agents`` and
``nasgym.envs``. These tests build the wheel from a copy of the sources (so no ``build/`` appears in the checkout),
install it with ``pip --target`` and use it from a directory outside the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "nasgym", "agents", "envs")

EPISODE = """
import importlib.util, sys
import gymnasium as gym
import nasgym, nasgym.agents
site = sys.argv[1]
assert nasgym.__file__.startswith(site), nasgym.__file__
assert nasgym.agents.__file__.startswith(site), nasgym.agents.__file__
assert importlib.util.find_spec("agents") is None, "a top-level 'agents' package is importable"
assert "random" in nasgym.agents.AGENTS
ids = nasgym.register_envs()
assert "nasgym/EdgeTPU-ZeroCost-v0" in ids and len(ids) >= 12, ids
env = gym.make("nasgym/EdgeTPU-ZeroCost-v0")
obs, info = env.reset(seed=0)
done, steps = False, 0
while not done:
    action = int(env.unwrapped.action_masks().nonzero()[0][0])
    obs, reward, done, truncated, info = env.step(action)
    steps += 1
env.close()
assert 0.0 <= info["accuracy"] <= 1.0 and info["latency_ms"] > 0, info
print("episode", steps, info["arch_hash"], round(info["latency_ms"], 4))
"""


def _copy_sources(dest: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            shutil.copy2(src, dest / name)


def _pip(*args: str, cwd: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pip", *args, "--no-deps", "--quiet", "--disable-pip-version-check"],
                            cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]


def test_wheel_installs_a_working_package(tmp_path):
    src, wheels, site = tmp_path / "src", tmp_path / "wheels", tmp_path / "site"
    src.mkdir()
    _copy_sources(src)
    _pip("wheel", "--no-build-isolation", "--wheel-dir", str(wheels), str(src), cwd=tmp_path)
    (wheel,) = wheels.glob("nasgym-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "nasgym/agents/base.py" in names and "nasgym/envs/edgetpu-zerocost.yaml" in names
    assert not [n for n in names if n.startswith(("agents/", "envs/"))], "top-level agents/ or envs/ in the wheel"
    _pip("install", "--target", str(site), str(wheel), cwd=tmp_path)
    assert sorted(p.name for p in site.iterdir() if not p.name.endswith(".dist-info")) == ["nasgym"]

    env = {**os.environ, "PYTHONPATH": str(site), "NASGYM_CACHE": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1"}
    run = subprocess.run([sys.executable, "-c", EPISODE, str(site)], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("episode 30 "), run.stdout


def test_every_folder_of_the_package_is_listed_in_pyproject():
    """``packages`` is an explicit list (the mapped agents/ and envs/ cannot be discovered): keep it complete."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed, mapped = set(config["packages"]), config["package-dir"]
    assert mapped == {"nasgym.agents": "agents", "nasgym.envs": "envs"}
    found = set()
    for package, folder in (("nasgym", "nasgym"), *mapped.items()):
        base = ROOT / folder
        for path in [base, *base.rglob("*")]:
            if path.is_dir() and path.name != "__pycache__":
                found.add(".".join([package, *path.relative_to(base).parts]))
    assert found == listed, f"add {sorted(found - listed)} / remove {sorted(listed - found)} in pyproject.toml"


def test_checkout_without_install_resolves_agents_and_envs(tmp_path):
    """``PYTHONPATH=<checkout>`` with no editable hook (``-S`` skips the .pth files) still finds nasgym.agents."""
    import numpy  # the dependencies' site-packages, passed explicitly because -S drops it

    deps = str(Path(numpy.__file__).resolve().parents[1])
    code = ("import nasgym, nasgym.agents; from nasgym.envs_config import ENVS_DIR; "
            "print(nasgym.agents.__file__, ENVS_DIR, len(nasgym.register_envs()))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), deps])}
    run = subprocess.run([sys.executable, "-S", "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    agents_file, envs_dir, count = run.stdout.split()
    assert Path(agents_file) == ROOT / "agents" / "__init__.py" and Path(envs_dir) == ROOT / "envs"
    assert int(count) == 3 * len(list((ROOT / "envs").glob("*.yaml")))
