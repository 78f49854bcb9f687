"""nasgym.files: atomic writes keep the old file on a failure, YAML errors are one line, the cache folder."""

from pathlib import Path

import pytest

from nasgym.files import atomic_path, atomic_write_text, cache_dir, read_yaml, temp_path


def test_atomic_write_replaces_and_a_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "best.json"
    atomic_write_text(path, "old\n")
    assert path.read_text() == "old\n"
    with pytest.raises(RuntimeError), atomic_path(path) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed mid-write")
    assert path.read_text() == "old\n" and not temp_path(path).exists()  # untouched, no temp file left
    assert temp_path(path).name == f".best.json.{__import__('os').getpid()}.tmp"
    assert temp_path(path, ".zip").name.endswith(".tmp.zip")


def test_a_full_disk_during_an_atomic_write_names_the_file(tmp_path):
    import errno

    path = tmp_path / "pareto.png"
    with pytest.raises(OSError) as info, atomic_path(path):
        raise OSError(errno.EFBIG, "File too large")  # what a write to an open handle raises: no file name
    assert (info.value.errno, info.value.filename) == (errno.EFBIG, str(path))
    assert list(tmp_path.iterdir()) == []


def test_read_yaml_error_is_one_line(tmp_path):
    bad = tmp_path / "h.yaml"
    bad.write_text("a: [1,\nb: 2\n")
    with pytest.raises(ValueError) as info:
        read_yaml(bad, "hyperparams file", "a YAML mapping")
    message = str(info.value)
    assert "\n" not in message
    where = "at line 3, column 1 (expected ',' or ']'"
    assert message.startswith(f"hyperparams file {str(bad)!r} is not valid YAML {where}")
    assert message.endswith(": expected a YAML mapping")
    good = tmp_path / "g.yaml"
    good.write_text("a: 1\n")
    assert read_yaml(good, "x", "y") == {"a": 1}


def test_cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NASGYM_CACHE", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("NASGYM_CACHE")
    assert cache_dir() == Path.home() / ".cache" / "nasgym"
    monkeypatch.setenv("NASGYM_CACHE", str(tmp_path / "evaluations.sqlite"))
    with pytest.raises(ValueError, match="names a file: expected a folder"):
        cache_dir()


def test_search_space_yaml_error_is_one_line(tmp_path):
    import nasgym

    bad = tmp_path / "space.yaml"
    bad.write_text("stages: [\n")
    with pytest.raises(ValueError, match=r"search space file .* is not valid YAML at line \d+, column \d+ .*: expected "
                       r"a mapping of defaults, description"):
        nasgym.load_space(str(bad))
