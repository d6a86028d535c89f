"""Training subsets as the Dataset Cartography paper selects them: td.subset / td.subset_of.

Expected ids are worked out by hand from the table in tests/_hand_run.py.
"""

from __future__ import annotations

import datasets
import numpy as np
import pandas as pd
import pytest
from _hand_run import IDS, P_GOLD, hand_run

from datamap_widget import DataMapWidget, TrainingDynamics


@pytest.fixture
def td():
    return hand_run()


def ids(index) -> list:
    assert isinstance(index, pd.Index) and index.name == "id"
    return index.tolist()


# ------------------------------------------------------------------ shares of every example
@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # variability, highest first: g .375, c .25, d .25 (tie: dataset order), h .125, ...
        ({"fraction": 0.5}, ["g", "c", "d", "h"]),
        ({"fraction": 0.25}, ["g", "c"]),  # d ties with c and is cut: dataset order decides
        ({"fraction": 0.33}, ["g", "c", "d"]),  # round(2.64) = 3
        ({"fraction": 0.3}, ["g", "c"]),  # round(2.4) = 2 (the reference writes int(2.4)+1 = 3)
        ({"fraction": 1.0}, ["g", "c", "d", "h", "e", "f", "a", "b"]),
        # confidence, lowest first (hard-to-learn): b .125, f .3125, then c, d, g tied at .5
        ({"fraction": 0.5, "by": "confidence"}, ["b", "f", "c", "d"]),
        # correctness lowest first: b, f (0), then c, d, g (.5)
        ({"fraction": 0.5, "by": "correctness"}, ["b", "f", "c", "d"]),
        # forgetfulness highest first: never learned (inf) b, f, then d (forgot once)
        ({"fraction": 0.375, "by": "forgetfulness"}, ["b", "f", "d"]),
        # threshold closeness highest first: c, d, g (.25), then e, f (.21484375)
        ({"fraction": 0.5, "by": "threshold_closeness"}, ["c", "d", "g", "e"]),
        # a region with a fraction: the paper's share of ALL examples from that region's end
        ({"region": "easy-to-learn", "fraction": 0.5}, ["a", "h", "e", "c"]),
        ({"region": "hard-to-learn", "fraction": 0.25}, ["b", "f"]),
        ({"region": "ambiguous", "fraction": 0.25}, ["g", "c"]),
        ({"region": "ambiguous", "fraction": 0.25, "by": "variability"}, ["g", "c"]),
    ],
)
def test_shares_follow_the_papers_order_and_rounding(td, kwargs, expected):
    assert ids(td.subset(**kwargs)) == expected


def test_a_share_may_cross_the_fixed_regions(td):
    # c lies in the ambiguous region by the thresholds, yet is among the 50% most confident
    assert td.metrics().loc["c", "region"] == "ambiguous"
    assert "c" in ids(td.subset("easy-to-learn", fraction=0.5))
    assert ids(td.subset("easy-to-learn")) == ["a", "h", "e"]


@pytest.mark.parametrize(
    ("region", "method", "expected"),
    [
        ("easy-to-learn", "easy", ["a", "h", "e"]),
        ("ambiguous", "ambiguous", ["g", "c", "d"]),
        ("hard-to-learn", "hard", ["b", "f"]),
    ],
)
def test_a_region_alone_is_the_thresholded_region_in_its_own_order(td, region, method, expected):
    assert ids(td.subset(region)) == expected
    assert ids(td.subset(region)) == getattr(td, method)().index.tolist()


def test_epochs_rank_by_an_earlier_map(td):
    # after epoch 1 every variability is 0: a tie everywhere, so dataset order
    assert ids(td.subset(fraction=0.5, epochs=1)) == ["a", "b", "c", "d"]
    # epoch-1 confidence: b .125, g .125, c .25, f .25, e .625, ...
    assert ids(td.subset(fraction=0.5, by="confidence", epochs=1)) == ["b", "g", "c", "f"]


def test_aum_ranks_lowest_margin_first():
    run = TrainingDynamics(np.ones(4, dtype=np.int64), ids=[10, 11, 12, 13], task="binary")
    run.log_epoch(np.array([2.0, -1.0, 0.5, -3.0]), logits=True)  # margin = logit (gold 1)
    assert ids(run.subset(fraction=0.5, by="aum")) == [13, 11]


def test_multilabel_ranks_by_the_chosen_label():
    hot = np.array([[1, 0], [1, 1], [0, 1], [1, 0]])
    run = TrainingDynamics(hot, label_names=["x", "y"], ids=[5, 6, 7, 8])
    y_only = TrainingDynamics(hot[:, 1], ids=[5, 6, 7, 8], task="binary")
    rng = np.random.default_rng(0)
    for _ in range(3):
        out = rng.random((4, 2)).astype(np.float32)
        run.log_epoch(out)
        y_only.log_epoch(out[:, 1])
    assert ids(run.subset(fraction=0.5, label="y")) == ids(y_only.subset(fraction=0.5))
    assert ids(run.subset(fraction=0.5, label=1)) == ids(y_only.subset(fraction=0.5))


# ------------------------------------------------------------------ bad arguments
@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({}, ValueError, "pass region= .* or fraction="),
        ({"fraction": 33}, ValueError, r"0\.33 for 33%"),
        ({"fraction": 0}, ValueError, r"must lie in \(0, 1\]"),
        ({"fraction": -0.1}, ValueError, r"must lie in \(0, 1\]"),
        ({"fraction": 1.5}, ValueError, r"must lie in \(0, 1\]"),
        ({"fraction": True}, TypeError, "fraction must be a number"),
        ({"fraction": "0.3"}, TypeError, "fraction must be a number"),
        ({"region": "easy"}, ValueError, "region must be one of .*'easy-to-learn'"),
        ({"fraction": 0.3, "by": "loss"}, ValueError, "by must be one of .*'variability'"),
        (
            {"region": "easy-to-learn", "fraction": 0.3, "by": "variability"},
            ValueError,
            "ranked by confidence \\(highest first\\), not by 'variability'",
        ),
        ({"fraction": 0.3, "by": "aum"}, ValueError, "logits=True"),
        ({"fraction": 0.3, "label": "x"}, TypeError, "only applies to multilabel"),
        ({"fraction": 0.3, "epochs": 0}, ValueError, "no epochs yet"),
    ],
)
def test_bad_arguments_say_what_is_wrong(td, kwargs, error, match):
    with pytest.raises(error, match=match):
        td.subset(**kwargs)


def test_a_run_without_epochs_is_refused():
    with pytest.raises(ValueError, match="no epochs yet"):
        hand_run(epochs=0).subset(fraction=0.5)


# ------------------------------------------------------------------ the matching rows
def frame(order=None, **columns):
    """Data rows for the hand run's ids (shuffled by ``order``), text naming each id."""
    order = list(IDS) if order is None else order
    return pd.DataFrame({"text": [f"text of {i}" for i in order], **columns}, index=order)


def test_subset_of_a_dataframe_matches_rows_by_index_not_position(td):
    data = frame(order=list("hgfedcba"))  # reversed: position i is not example i
    before = data.copy()
    out = td.subset_of(data, fraction=0.5)
    assert out.index.tolist() == ["g", "c", "d", "h"]
    assert out.text.tolist() == [f"text of {i}" for i in "gcdh"]
    pd.testing.assert_frame_equal(data, before)  # the user's data is left as it was


def test_subset_of_a_dataframe_by_id_column(td):
    data = frame(order=list("bacdefgh")).reset_index(names="uid")
    out = td.subset_of(data, "hard-to-learn", id_column="uid")
    assert out.uid.tolist() == ["b", "f"] and out.text.tolist() == ["text of b", "text of f"]


def test_subset_of_a_dataset_by_id_column_and_by_position(td):
    shuffled = list("cadbhgfe")
    ds = datasets.Dataset.from_dict({"uid": shuffled, "text": [f"text of {i}" for i in shuffled]})
    out = td.subset_of(ds, fraction=0.5, by="confidence", id_column="uid")
    assert isinstance(out, datasets.Dataset)
    assert out["uid"] == ["b", "f", "c", "d"]
    assert out["text"] == [f"text of {i}" for i in "bfcd"]

    positional = TrainingDynamics(np.ones(8, dtype=np.int64), task="binary")  # ids 0..7
    for p in P_GOLD:
        positional.log_epoch(p)
    plain = datasets.Dataset.from_dict({"text": [f"row {i}" for i in range(8)]})
    assert positional.subset_of(plain, fraction=0.5)["text"] == ["row 6", "row 2", "row 3", "row 7"]


@pytest.mark.parametrize(
    ("data", "kwargs", "error", "match"),
    [
        (frame(order=list("abcdefga")), {}, ValueError, r"repeated \(e\.g\. \['a'\]\)"),
        (frame(order=[*IDS, "zz"]), {}, ValueError, r"1 of 9 rows of data have ids .*\['zz'\]"),
        (frame(order=list("abcdef")), {}, ValueError, r"2 of the 4 examples in the subset .*'g'"),
        (frame(), {"id_column": "uid"}, ValueError, "no id column 'uid'"),
        (datasets.Dataset.from_dict({"t": list("ab")}), {}, ValueError, "does not know"),
        (list("abc"), {}, TypeError, "DataFrame or a datasets.Dataset"),
    ],
)
def test_subset_of_refuses_rows_it_cannot_match(td, data, kwargs, error, match):
    with pytest.raises(error, match=match):
        td.subset_of(data, fraction=0.5, **kwargs)


# ------------------------------------------------------------------ the widget
def test_widget_subsets_use_its_label_and_id_column():
    df = pd.DataFrame(
        {
            "uid": [f"u{i}" for i in range(6)],
            "text": list("pqrstu"),
            "labels": [["joy"], ["joy", "anger"], ["anger"], ["joy"], ["anger"], ["joy", "anger"]],
        }
    ).sample(frac=1.0, random_state=3)
    w = DataMapWidget(
        df, label_column="labels", task="multilabel", label_names=["joy", "anger"], id_column="uid"
    )
    rng = np.random.default_rng(1)
    for _ in range(3):
        w.log_epoch(rng.random((6, 2)).astype(np.float32), classes=["joy", "anger"])
    w.label = "anger"
    expected = w.dynamics.subset(fraction=0.5, label="anger")
    assert ids(w.subset(fraction=0.5)) == expected.tolist()
    assert ids(w.subset(fraction=0.5, label="joy")) != expected.tolist()
    assert ids(w.subset(fraction=0.5, label="joy")) == ids(w.dynamics.subset(fraction=0.5, label=0))
    rows = w.subset_of(df.sample(frac=1.0, random_state=4), fraction=0.5)  # by its id_column
    assert rows.uid.tolist() == expected.tolist()
    assert rows.text.tolist() == df.set_index("uid").loc[expected, "text"].tolist()
