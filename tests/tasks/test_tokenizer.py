"""Tokenizer and vocabulary: token rules, ordering, padding, round trips, errors."""

import pytest
import torch

from nasgym.tasks.tokenizer import PAD, UNK, Vocabulary, tokenize


def test_tokenize_normalizes_urls_mentions_numbers_and_keeps_hashtags():
    text = "RT @Delta: Flight 123 was GREAT!!! see http://t.co/abc #travel :) don't"
    assert tokenize(text) == ["rt", "<user>", "flight", "<num>", "was", "great", "!", "!", "!", "see", "<url>",
                              "#travel", "don't"]


def test_tokenize_drops_symbols_and_replacement_characters():
    assert tokenize("cars_\ufffd_.no \u00e9t\u00e9 \U0001F600 ok") == ["cars", ".", "no", "\u00e9t\u00e9", "ok"]
    assert tokenize("") == []


def test_vocabulary_orders_by_count_then_alphabet_with_pad_and_unk_first():
    vocab = Vocabulary.build(["b a a", "c b a", "d"], min_count=1)
    assert vocab.tokens == (PAD, UNK, "a", "b", "c", "d")
    assert Vocabulary.build(["b a a", "c b a", "d"], min_count=2).tokens == (PAD, UNK, "a", "b")
    assert Vocabulary.build(["b a a", "c b a", "d"], min_count=1, max_size=3).tokens == (PAD, UNK, "a")


def test_encode_pads_truncates_and_maps_unknown_tokens():
    vocab = Vocabulary.build(["good day", "good night"], min_count=1)
    ids = vocab.encode(["good day", "bad day good night good", ""], length=4)
    good, day, night = vocab.index["good"], vocab.index["day"], vocab.index["night"]
    assert ids.dtype == torch.int64 and ids.shape == (3, 4)
    assert ids.tolist() == [[good, day, 0, 0], [1, day, good, night], [0, 0, 0, 0]]
    assert vocab.decode(ids[0]) == ["good", "day"]
    assert vocab.decode(ids[1]) == [UNK, "day", "good", "night"]


def test_json_round_trip_and_equality():
    vocab = Vocabulary.build(["x y z", "x"], min_count=1)
    again = Vocabulary.from_json(vocab.to_json())
    assert again == vocab and hash(again) == hash(vocab) and len(again) == 5


def test_bad_input_raises_value_errors():
    with pytest.raises(ValueError, match=r"vocabulary starts with \['a'\]: expected \['<pad>', '<unk>'\] first"):
        Vocabulary(["a"])
    with pytest.raises(ValueError, match=r"duplicated tokens \['x'\]"):
        Vocabulary([PAD, UNK, "x", "x"])
    with pytest.raises(ValueError, match="min_count=0 is invalid"):
        Vocabulary.build(["a"], min_count=0)
    with pytest.raises(ValueError, match="max_size=1 is invalid"):
        Vocabulary.build(["a"], max_size=1)
    vocab = Vocabulary.build(["a"], min_count=1)
    with pytest.raises(ValueError, match="length=0 is invalid"):
        vocab.encode(["a"], 0)
    with pytest.raises(ValueError, match=r"token id 7 is invalid: expected an id in \[0, 2\]"):
        vocab.decode([7])
    with pytest.raises(ValueError, match="text=3 is invalid: expected a str"):
        tokenize(3)
    with pytest.raises(ValueError, match="vocabulary JSON"):
        Vocabulary.from_json('{"a": 1}')
