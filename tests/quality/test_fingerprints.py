"""Evaluator fingerprints key the persistent cache (and hours of benchmark results): they must never change (a
new version of the rules behind a config, like the proxy width rule, is the one deliberate change).

The strings below were printed by the code before the ``train`` and ``task`` evaluators were folded into one.
"""

from pathlib import Path

import pytest
import yaml

from nasgym.quality import make_evaluator

SEGMENTATION = {"kind": "task", "task": "segmentation", "steps": 150, "batch_size": 32, "lr": 0.01,
                "data": {"source": "fashion_mnist", "grid": 2, "train_size": 4000, "val_size": 500, "test_size": 500}}

PINNED = [
    ({"kind": "train"}, "train-v1-2dd73bc190"),
    ("default", "train-v1-394f877554"),  # calibrated 1-training choice of the proxy study (was train-v1-2dd73bc190)
    ("reference", "train-v1-c8d654e18c"),  # 12 trainings (was train-v1-50eb228649 with 3, on proxy space v1)
    ("fullsize", "train-v1-824c6eac64"),  # width rule 3 (was train-v1-939f351a69 under rule 2)
    ({"kind": "train", "canvas": 56, "canvas_scale": [1.0, 2.0], "steps": 100, "repeats": 1, "val_images": 5000},
     "train-v1-db5d40af25"),
    ({"kind": "train", "canvas": 56, "canvas_scale": [1.0, 2.0], "steps": 100, "repeats": 1}, "train-v1-989d7ca534"),
    ({"kind": "train", "steps": 100, "repeats": 1}, "train-v1-e180f49f98"),
    ({"kind": "train", "canvas": 84, "canvas_scale": [1.0, 3.0], "steps": 100, "repeats": 1, "val_images": 5000},
     "train-v1-b448465992"),
    (SEGMENTATION, "task-segmentation-v1-6d5afe535e"),
]

ENV_FILES = {
    "edgetpu-fashionmnist.yaml": "train-v1-824c6eac64",  # fullsize
    "edgetpu-mosaic-segmentation.yaml": "task-segmentation-v1-6d5afe535e",
    "edgetpu-proxy-fashionmnist.yaml": "train-v1-394f877554",  # default (was 60 steps, train-v1-1b2519e955)
    "edgetpu-tweets-text.yaml": "task-text-v1-43eeaa000f",
    "edgetpu-zerocost.yaml": "zero_cost-v1-d047646355",
    "macs-proxy-fashionmnist.yaml": "train-v1-394f877554",
}
# Env files whose evaluator fingerprint includes a data file's hash (it changes with the data by design).
DATA_DEPENDENT = {"edgetpu-surrogate.yaml"}
ENVS = Path(__file__).resolve().parents[2] / "envs"


@pytest.mark.parametrize(("spec", "expected"), PINNED, ids=[str(i) for i in range(len(PINNED))])
def test_fingerprint_unchanged(spec, expected):
    assert make_evaluator(spec).fingerprint == expected


@pytest.mark.parametrize(("name", "expected"), sorted(ENV_FILES.items()))
def test_env_evaluator_fingerprint_unchanged(name, expected):
    spec = yaml.safe_load((ENVS / name).read_text())["evaluator"]
    assert make_evaluator(spec).fingerprint == expected


def test_every_env_file_is_pinned():
    assert sorted(path.name for path in ENVS.glob("*.yaml")) == sorted([*ENV_FILES, *DATA_DEPENDENT])
