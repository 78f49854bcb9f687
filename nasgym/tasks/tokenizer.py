"""A small deterministic word tokenizer and vocabulary for short texts (tweets).

:func:`tokenize`: lower-case; URLs become ``<url>``, @mentions ``<user>``, numbers ``<num>``; then the tokens are
hashtags and words (a letter followed by letters, digits or apostrophes; any script) and the marks ``! ? . ,``;
anything else (other symbols, emoji, replacement characters of undecodable bytes) is dropped.

:class:`Vocabulary`: index 0 is ``<pad>``, 1 is ``<unk>``; the other tokens are the ones seen at least
``min_count`` times in the texts it is built from (the training split only), ordered by decreasing count then
alphabetically, truncated to ``max_size`` entries in all. Encoding truncates or right-pads with ``<pad>`` to a
fixed length.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import torch

PAD, UNK = "<pad>", "<unk>"
_URL = re.compile(r"https?://\S+|www\.\S+")
_USER = re.compile(r"@\w+")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
_TOKEN = re.compile(r"<url>|<user>|<num>|#?[^\W\d_](?:[^\W_]|')*|[!?.,]")


def tokenize(text: str) -> list[str]:
    """The tokens of one text (see the module docstring)."""
    if not isinstance(text, str):
        raise ValueError(f"text={text!r:.60} is invalid: expected a str")
    text = _URL.sub(" <url> ", text.lower())
    text = _USER.sub(" <user> ", text)
    text = _NUMBER.sub(" <num> ", text)
    return _TOKEN.findall(text)


class Vocabulary:
    """Token <-> index mapping with ``<pad>`` = 0 and ``<unk>`` = 1."""

    def __init__(self, tokens: Sequence[str]) -> None:
        tokens = list(tokens)
        if tokens[:2] != [PAD, UNK]:
            raise ValueError(f"vocabulary starts with {tokens[:2]!r}: expected [{PAD!r}, {UNK!r}] first")
        if len(set(tokens)) != len(tokens):
            duplicated = sorted(t for t, c in Counter(tokens).items() if c > 1)
            raise ValueError(f"vocabulary has duplicated tokens {duplicated[:5]}: expected unique tokens")
        self.tokens = tuple(tokens)
        self.index = {token: i for i, token in enumerate(self.tokens)}

    @classmethod
    def build(cls, texts: Iterable[str], min_count: int = 2, max_size: int = 10_000) -> Vocabulary:
        """The vocabulary of ``texts`` (see the module docstring)."""
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
            raise ValueError(f"min_count={min_count!r} is invalid: expected an int >= 1")
        if isinstance(max_size, bool) or not isinstance(max_size, int) or max_size < 2:
            raise ValueError(f"max_size={max_size!r} is invalid: expected an int >= 2 (<pad> and <unk> included)")
        counts = Counter(token for text in texts for token in tokenize(text))
        kept = sorted((t for t, c in counts.items() if c >= min_count and t not in (PAD, UNK)),
                      key=lambda t: (-counts[t], t))
        return cls([PAD, UNK] + kept[: max_size - 2])

    def __len__(self) -> int:
        return len(self.tokens)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self.tokens == other.tokens

    def __hash__(self) -> int:
        return hash(self.tokens)

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} tokens)"

    def ids(self, text: str) -> list[int]:
        """Token indices of ``text`` (unknown tokens -> 1), unpadded."""
        unk = self.index[UNK]
        return [self.index.get(token, unk) for token in tokenize(text)]

    def encode(self, texts: Sequence[str], length: int) -> torch.Tensor:
        """int64 (len(texts), length): token ids, truncated or right-padded with ``<pad>`` (0)."""
        if isinstance(length, bool) or not isinstance(length, int) or length < 1:
            raise ValueError(f"length={length!r} is invalid: expected an int >= 1")
        out = torch.zeros(len(texts), length, dtype=torch.int64)
        for row, text in enumerate(texts):
            ids = self.ids(text)[:length]
            if ids:
                out[row, : len(ids)] = torch.tensor(ids, dtype=torch.int64)
        return out

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Tokens of ``ids``, padding dropped."""
        out = []
        for i in ids:
            if not 0 <= int(i) < len(self.tokens):
                raise ValueError(f"token id {int(i)} is invalid: expected an id in [0, {len(self.tokens) - 1}]")
            if int(i) != 0:
                out.append(self.tokens[int(i)])
        return out

    def to_json(self) -> str:
        """The token list as JSON."""
        return json.dumps(list(self.tokens))

    @classmethod
    def from_json(cls, text: str) -> Vocabulary:
        """Inverse of :meth:`to_json`."""
        tokens = json.loads(text)
        if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
            raise ValueError(f"vocabulary JSON {text[:60]!r} is invalid: expected a list of strings")
        return cls(tokens)
