"""The ``segmentation`` task: Fashion-MNIST (or digits) mosaics, FCN-style light head, mean IoU.

Data: seeded mosaics of ``grid`` x ``grid`` items (:mod:`nasgym.tasks.mosaic`; pixel = item class where its ink is,
else background), 11 classes with the background. Head: :mod:`nasgym.model.heads.segmentation`. Quality: mean IoU
over the validation pixels (background included). Deployment input 512x512x3 by default.
"""

from __future__ import annotations

from typing import Any

from nasgym.quality.data import Dataset
from nasgym.tasks.mosaic import MosaicSpec, load_mosaic_dataset
from nasgym.tasks.registry import TaskSpec, reader_options, register_task


def read_mosaics(options: dict | None, data_dir: Any = None) -> Dataset:
    """Reader of the ``segmentation`` task; ``options`` are :class:`~nasgym.tasks.mosaic.MosaicSpec` fields."""
    return load_mosaic_dataset(reader_options(MosaicSpec, options, "segmentation"), data_dir)


SEGMENTATION = register_task(TaskSpec("segmentation", head="segmentation", reader=read_mosaics, metric="miou",
                                      num_classes=11, deployment_shape=(512, 512, 3), min_resolution=2))
