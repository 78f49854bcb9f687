"""``evaluations.csv``: reading it back after any crash, and repairing it in place.

A run appends one row per evaluation and flushes it, so a crash can leave at most a partial last line; disk-full
errors, kills between creating the file and writing its header, or concurrent writers can also leave an empty file,
a file without a header, or garbled rows in the middle. :func:`read_log` accepts all of these: it keeps every row
that parses, numbers the rows 1..n in file order, and reports each rejected line as ``file:line: reason``.
:func:`write_log` rewrites the file atomically (temp file + rename), which is how a repaired log is stored.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nasgym.files import atomic_path

CSV_FIELDS = ("evaluation", "wall_s", "reward", "accuracy", "latency_ms", "energy_mj", "params", "macs",
              "cache_hit", "eval_seconds", "failed", "eval_seed", "arch_hash", "arch_string", "arch")
NUMERIC_FIELDS = ("wall_s", "reward", "accuracy", "latency_ms", "energy_mj", "params", "macs", "eval_seconds")
_REQUIRED_TEXT = ("arch_hash", "arch")


@dataclass
class LogContents:
    """What :func:`read_log` found: the parsed rows and what had to be repaired."""

    rows: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "file:line: reason", one per rejected line
    needs_rewrite: bool = False  # missing header, partial last line, rejected rows or wrong numbering

    def summary(self, path: Path) -> str:
        """One line describing the repair (empty when nothing was repaired)."""
        if not self.needs_rewrite:
            return ""
        if not self.problems:
            return f"{path}: repaired (header or cut-off last line); {len(self.rows)} evaluations kept"
        shown = "; ".join(self.problems[:3]) + (f"; ... {len(self.problems) - 3} more" if len(self.problems) > 3
                                                 else "")
        return f"{path}: dropped {len(self.problems)} corrupt row(s) ({shown}); {len(self.rows)} evaluations kept"


def parse_row(raw: dict) -> dict:
    """A CSV row (strings) as a typed row; ``ValueError`` naming the first bad field."""
    if None in raw or any(raw.get(key) is None for key in CSV_FIELDS):
        raise ValueError(f"expected {len(CSV_FIELDS)} fields")
    row: dict[str, Any] = dict(raw)
    for key in NUMERIC_FIELDS:
        try:
            row[key] = float(raw[key]) if raw[key] != "" else math.nan
        except ValueError:
            raise ValueError(f"{key}={raw[key][:20]!r} is not a number") from None
    for key in _REQUIRED_TEXT:
        if not raw[key]:
            raise ValueError(f"{key} is empty")
    if raw["cache_hit"] not in ("True", "False"):
        raise ValueError(f"cache_hit={raw['cache_hit'][:20]!r} is not True/False")
    row["cache_hit"] = raw["cache_hit"] == "True"
    row["evaluation"] = raw["evaluation"]
    return row


def read_log(path: Path) -> LogContents:
    """Rows of ``path`` (see the module docstring); a missing file is an empty log."""
    out = LogContents()
    if not path.exists():
        return out
    text = path.read_text(errors="replace")
    header = ",".join(CSV_FIELDS)
    if not text.startswith(header + "\n") and not text.startswith(header + "\r\n"):
        out.needs_rewrite = True  # empty, header-less or a cut-off header: parse every line as data
        first = text.split("\n", 1)[0]
        skip_first = bool(first) and header.startswith(first.rstrip("\r"))
        body, first_line = (text.split("\n", 1)[1] if "\n" in text else "", 2) if skip_first else (text, 1)
    else:
        body, first_line = text.split("\n", 1)[1], 2
    if body and not body.endswith("\n"):
        body = body[: body.rfind("\n") + 1]  # a line cut short by an interrupted write
        out.needs_rewrite = True
    reader = csv.DictReader(io.StringIO(body, newline=""), fieldnames=CSV_FIELDS)
    line_of = first_line
    for raw in reader:
        line = line_of
        line_of = first_line + reader.line_num
        try:
            row = parse_row(raw)
        except ValueError as err:
            out.problems.append(f"{path}:{line}: {err}")
            out.needs_rewrite = True
            continue
        out.rows.append(row)
    for number, row in enumerate(out.rows, 1):
        if row["evaluation"] != str(number):
            out.needs_rewrite = True
        row["evaluation"] = number
    return out


def write_log(path: Path, rows: list[dict], durable: bool = True) -> None:
    """Write ``rows`` (with the header) to ``path`` atomically; ``durable``: on disk (fsync) before the rename."""
    with atomic_path(path) as tmp, open(tmp, "w", newline="") as f:
        writer = csv.DictWriter(f, CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        if durable:
            f.flush()
            os.fsync(f.fileno())
