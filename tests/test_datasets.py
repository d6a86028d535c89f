"""The tutorial loaders: go_emotions from a local TSV copy (or the hub), binary tasks, noisy digits.

Each loader is compared with a plain-Python reading of the same source.
"""

import os
from pathlib import Path

import numpy as np
import pytest
from _go_emotions import go_emotions_dir
from sklearn.datasets import load_digits

from datamap_widget.datasets import (
    GO_EMOTIONS_DIR_ENV,
    binary_task,
    load_go_emotions,
    noisy_digits,
)

REPO = Path(__file__).resolve().parents[1]
LABEL_NAMES = ["admiration", "gratitude", "neutral"]


@pytest.fixture(autouse=True)
def private_datasets_cache(tmp_path, monkeypatch):
    """Keep the Arrow files `datasets` writes for each small copy out of the user's cache."""
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", tmp_path / "hf-datasets-cache")


def read_tsv_by_hand(path):
    """Reference reader: one example a line, three tab-separated fields, no quoting at all."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text, labels, id_ = line.split("\t")
        rows.append((text, [int(x) for x in labels.split(",")], id_))
    return rows


@pytest.fixture
def tiny_copy(tmp_path):
    """A small copy laid out like the shared one, with the texts a careless CSV reader breaks."""
    train = [
        ('He said "thanks" and left', "1", "a1"),
        ("NA", "2", "a2"),
        ("null", "0,1", "a3"),
        ('"quoted from start', "2", "a4"),
        ("Thank you so much!", "1,2", "a5"),
        ("commas, inside, text", "0", "a6"),
    ]
    dev = [("ok then", "2", "d1"), ("thanks mate", "1", "d2")]
    for name, rows in [("train.tsv", train), ("dev.tsv", dev)]:
        (tmp_path / name).write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "labels.txt").write_text("\n".join(LABEL_NAMES) + "\n", encoding="utf-8")
    return tmp_path


def as_rows(ds):
    return list(zip(ds["text"], ds["labels"], ds["id"]))


def test_local_copy_keeps_quotes_na_texts_and_label_lists(tiny_copy):
    ds = load_go_emotions(local_dir=tiny_copy)
    assert ds.column_names == ["text", "labels", "id"]
    assert as_rows(ds) == read_tsv_by_hand(tiny_copy / "train.tsv")
    assert ds.features["labels"].feature.names == LABEL_NAMES


def test_local_split_names_and_slices_follow_the_hub(tiny_copy):
    dev = load_go_emotions("validation", local_dir=tiny_copy)
    assert as_rows(dev) == read_tsv_by_hand(tiny_copy / "dev.tsv")
    first_two = load_go_emotions("train[:2]", local_dir=tiny_copy)
    assert as_rows(first_two) == read_tsv_by_hand(tiny_copy / "train.tsv")[:2]


def test_environment_variable_names_the_local_copy(tiny_copy, monkeypatch):
    monkeypatch.setenv(GO_EMOTIONS_DIR_ENV, str(tiny_copy))
    assert as_rows(load_go_emotions("validation")) == read_tsv_by_hand(tiny_copy / "dev.tsv")


def test_missing_split_or_folder_says_what_is_needed(tiny_copy, tmp_path):
    with pytest.raises(ValueError, match="test.tsv"):
        load_go_emotions("test", local_dir=tiny_copy)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_go_emotions(local_dir=tmp_path / "nowhere")
    (tiny_copy / "labels.txt").unlink()
    with pytest.raises(FileNotFoundError, match="labels.txt"):
        load_go_emotions(local_dir=tiny_copy)
    with pytest.raises(TypeError, match="split"):
        load_go_emotions(0, local_dir=tiny_copy)


def test_hub_is_asked_for_the_simplified_config(monkeypatch):
    import datasets

    monkeypatch.delenv(GO_EMOTIONS_DIR_ENV, raising=False)
    calls = []
    monkeypatch.setattr(
        datasets, "load_dataset", lambda *a, **k: calls.append((a, k)) or "hub dataset"
    )
    assert load_go_emotions("validation") == "hub dataset"
    assert calls == [(("go_emotions", "simplified"), {"split": "validation"})]


def test_unreachable_hub_explains_how_to_use_a_local_copy(monkeypatch):
    import datasets

    monkeypatch.delenv(GO_EMOTIONS_DIR_ENV, raising=False)

    def offline(*args, **kwargs):
        raise ConnectionError("Couldn't reach 'go_emotions' on the Hub")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(ConnectionError, match=GO_EMOTIONS_DIR_ENV) as info:
        load_go_emotions()
    assert "local_dir=" in str(info.value) and "Couldn't reach" in str(info.value)


def test_go_emotions_loads_completely(monkeypatch):
    """The full training split, from the local copy (checked row by row) or from the hub."""
    folder = go_emotions_dir()
    if folder is None:
        monkeypatch.delenv(GO_EMOTIONS_DIR_ENV, raising=False)
        ds = load_go_emotions()
        assert len(ds) == 43410 and ds.column_names == ["text", "labels", "id"]
        assert len(ds.features["labels"].feature.names) == 28
        return
    ds = load_go_emotions(local_dir=folder)
    assert as_rows(ds) == read_tsv_by_hand(folder / "train.tsv")
    names = (folder / "labels.txt").read_text(encoding="utf-8").split()
    assert ds.features["labels"].feature.names == names


def test_binary_task_marks_examples_carrying_the_label(tiny_copy):
    ds = load_go_emotions(local_dir=tiny_copy)
    expected = [int(1 in labels) for _, labels, _ in read_tsv_by_hand(tiny_copy / "train.tsv")]
    by_name = binary_task(ds, "gratitude")
    assert by_name["label"] == expected
    assert by_name.column_names == ["text", "labels", "id", "label"]
    assert binary_task(ds, 1, column="is_gratitude")["is_gratitude"] == expected
    assert ds.column_names == ["text", "labels", "id"]  # the input is left as it was


def test_binary_task_rejects_unknown_labels_and_taken_columns(tiny_copy):
    ds = load_go_emotions(local_dir=tiny_copy)
    with pytest.raises(ValueError, match="unknown label 'thanks'.*gratitude"):
        binary_task(ds, "thanks")
    with pytest.raises(ValueError, match="outside 0..2"):
        binary_task(ds, 3)
    with pytest.raises(ValueError, match="already has a column 'text'"):
        binary_task(ds, "gratitude", column="text")
    with pytest.raises(TypeError, match="label name or index"):
        binary_task(ds, 1.5)


def test_noisy_digits_flips_exactly_the_masked_labels():
    digits = noisy_digits(flip_fraction=0.1, seed=0)
    reference = load_digits()
    n = len(reference.target)
    np.testing.assert_array_equal(digits.true_labels, reference.target)
    np.testing.assert_array_equal(digits.data, reference.data)
    np.testing.assert_array_equal(digits.images.reshape(n, -1), reference.data)
    assert digits.flipped.dtype == bool and digits.flipped.sum() == round(0.1 * n)
    np.testing.assert_array_equal(digits.labels != digits.true_labels, digits.flipped)
    assert set(np.unique(digits.labels)) <= set(range(10))
    assert digits.label_names == [str(d) for d in range(10)]
    # flips go to every other digit, not to a fixed neighbour
    shifts = (digits.labels - digits.true_labels)[digits.flipped] % 10
    assert len(np.unique(shifts)) == 9


def test_noisy_digits_is_reproducible_per_seed():
    first, again, other = (
        noisy_digits(0.2, seed=3),
        noisy_digits(0.2, seed=3),
        noisy_digits(0.2, seed=4),
    )
    np.testing.assert_array_equal(first.labels, again.labels)
    np.testing.assert_array_equal(first.flipped, again.flipped)
    assert not np.array_equal(first.flipped, other.flipped)
    clean = noisy_digits(0.0)
    assert not clean.flipped.any()
    np.testing.assert_array_equal(clean.labels, clean.true_labels)


@pytest.mark.parametrize(
    "bad, error", [(1.0, ValueError), (-0.1, ValueError), ("0.1", TypeError), (True, TypeError)]
)
def test_noisy_digits_rejects_bad_fractions(bad, error):
    with pytest.raises(error, match="flip_fraction"):
        noisy_digits(flip_fraction=bad)


def test_importing_the_loaders_leaves_datasets_unimported():
    """`datasets` is heavy; only loading go_emotions may import it."""
    import subprocess
    import sys

    code = (
        "import sys, datamap_widget.datasets as d\n"
        "assert 'datasets' not in sys.modules, 'datasets imported eagerly'\n"
        "d.noisy_digits()\n"
        "assert 'datasets' not in sys.modules, 'noisy_digits imported datasets'\n"
    )
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=path)
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
