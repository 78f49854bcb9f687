"""The repository carries every file it needs: nothing reads the sibling ``shared`` folder users do not have."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nasgym.hw.calibration as calibration

ROOT = Path(__file__).resolve().parents[2]
# Written so that this file does not match itself.
FORBIDDEN = re.compile(r"\.\./shared|shared[/]calibration|NASGYM[_]SHARED")
CHECKED = ("nasgym", "tests", "agents", "Makefile", "train.py")
TEXT_SUFFIXES = {".py", ".yaml", ".yml", ".md", ".csv", ".toml", ".txt", ".json", ""}


def _files(entry: Path):
    if entry.is_file():
        yield entry
        return
    for path in sorted(entry.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in TEXT_SUFFIXES:
            yield path


def test_nothing_refers_to_the_shared_folder():
    offenders = []
    for name in CHECKED:
        for path in _files(ROOT / name):
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                if FORBIDDEN.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_calibration_tables_ship_inside_the_package():
    data = Path(calibration.__file__).parent / "data"
    assert calibration.CALIBRATION_DIR == data
    assert sorted(p.name for p in data.glob("*.csv")) == [
        "coral_latency.csv", "coral_usb_microbench.csv", "pixel6_latency.csv"]
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"hw/data/*.csv"' in pyproject  # installed with the package (wheels too)


def test_calibration_data_loads_from_a_copy_without_shared(tmp_path):
    """A copy of the package alone (no ``shared`` folder beside or above it) reads every calibration table."""
    shutil.copytree(ROOT / "nasgym", tmp_path / "nasgym", ignore=shutil.ignore_patterns("__pycache__"))
    assert not any((parent / "shared" / "calibration").exists() for parent in tmp_path.parents)
    script = (
        "import nasgym.hw.calibration as c\n"
        "assert c.CALIBRATION_DIR.is_relative_to(c.Path.cwd()), c.CALIBRATION_DIR\n"
        "print(len(c._read_csv('coral_latency.csv')), len(c._read_csv('coral_usb_microbench.csv')),"
        " len(c._read_csv('pixel6_latency.csv')))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["14", "6", "5"]
