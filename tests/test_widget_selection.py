"""The page's multi-point selection as Python sees it: the `_selection` trait (int32 positions,
as js/src/selection_sync.js sends them) -> `w.selected` / `w.selected_df`."""

from __future__ import annotations

import numpy as np
import pytest
from ipywidgets.widgets.widget import _remove_buffers

from datamap_widget import DataMapWidget


def page_selection(positions) -> dict:
    """What the page sets: {dtype, shape, buffer}; the comm hands Python a memoryview."""
    raw = np.asarray(positions, dtype="<i4")
    return {"dtype": "int32", "shape": [raw.size], "buffer": memoryview(raw.tobytes())}


@pytest.fixture
def widget():
    rng = np.random.default_rng(0)
    n = 50
    w = DataMapWidget(
        texts=[f"t{i}" for i in range(n)],
        labels=rng.integers(0, 3, n),
        ids=[f"ex{i}" for i in range(n)],
        label_names=["a", "b", "c"],
    )
    w.log_epoch(rng.dirichlet(np.ones(3), n))
    return w


def test_selected_follows_the_page_selection(widget):
    assert widget.selected == []
    assert widget.selected_df.empty
    widget.set_state({"_selection": page_selection([7, 3, 40])})
    assert widget.selected == ["ex3", "ex7", "ex40"]  # position (dataset) order
    df = widget.selected_df
    assert df.index.tolist() == ["ex3", "ex7", "ex40"]
    assert df.text.tolist() == ["t3", "t7", "t40"]
    widget.set_state({"_selection": page_selection([])})
    assert widget.selected == []


def test_large_selection_is_compact_and_exact():
    n = 20_000
    w = DataMapWidget(labels=np.arange(n) % 2)
    chosen = np.arange(0, n, 2)
    state = page_selection(chosen)
    w.set_state({"_selection": state})
    assert w.selected == chosen.tolist()
    # on the wire the positions travel as one binary buffer of 4 bytes each, not JSON numbers
    w.set_trait("_selection", {**state, "buffer": bytes(state["buffer"])})
    _, _, buffers = _remove_buffers({"_selection": w._selection})
    assert [len(b) for b in buffers] == [4 * chosen.size]


def test_out_of_range_and_repeated_positions_are_dropped(widget):
    widget.set_state({"_selection": page_selection([5, 5, -1, 50, 9999, 2])})
    assert widget.selected == ["ex2", "ex5"]


def test_malformed_selection_selects_nothing_with_a_warning(widget):
    four_bytes = memoryview(b"\0" * 4)
    widget.set_state({"_selection": {"dtype": "float32", "shape": [1], "buffer": four_bytes}})
    with pytest.warns(RuntimeWarning, match="malformed page selection"):
        assert widget.selected == []
    widget.set_state({"_selection": {"dtype": "int32", "shape": [3], "buffer": four_bytes}})
    with pytest.warns(RuntimeWarning, match="1 values for shape"):
        assert widget.selected_df.empty


def test_older_pages_fall_back_to_the_clicked_point(widget):
    widget._selected_index = [7]
    assert widget.selected == ["ex7"]


# w.select: selection from Python
def test_select_takes_ids_masks_series_and_frames_and_selected_agrees_at_once(widget):
    import pandas as pd

    widget.select(["ex9", "ex2", "ex2"])
    assert widget.selected == ["ex2", "ex9"]
    assert widget.selected_df.index.tolist() == ["ex2", "ex9"]
    widget.select(pd.Index(["ex4"]))
    assert widget.selected == ["ex4"]
    assert widget._selected_index == [4]  # one example is also the current point
    mask = np.zeros(50, dtype=bool)
    mask[[1, 30]] = True
    widget.select(mask)  # by position
    assert widget.selected == ["ex1", "ex30"]
    assert widget._selected_index == []  # the old current point is not in the selection
    flags = pd.Series(False, index=[f"ex{i}" for i in range(50)][::-1])
    flags["ex7"] = flags["ex44"] = True
    widget.select(flags)  # a mask over ids: its index, not its order
    assert widget.selected == ["ex7", "ex44"]
    frame = widget.to_dataframe()
    widget.select(frame[frame.text.isin(["t3", "t5"])])  # a DataFrame: its index
    assert widget.selected == ["ex3", "ex5"]
    widget.select(frame.index.to_series().iloc[[10, 11]])  # a Series of ids: its values
    assert widget.selected == ["ex10", "ex11"]
    widget.select("ex12")
    assert widget.selected == ["ex12"]
    widget.select(None)
    assert widget.selected == [] and widget.selected_df.empty
    assert widget._selected_index == []
    assert widget.select([]) is None and widget.selected == []


def test_select_keeps_the_current_point_when_it_is_selected(widget):
    widget.set_state({"_selected_index": [5]})
    widget.select(["ex5", "ex6"])
    assert widget._selected_index == [5]


def test_select_sends_int32_positions_and_a_new_request_each_call(widget):
    widget.select(["ex40", "ex3"])
    first = dict(widget._selection)
    assert first["dtype"] == "int32" and first["shape"] == [2]
    assert np.frombuffer(first["buffer"], "<i4").tolist() == [3, 40]
    _, _, buffers = _remove_buffers({"_selection": widget._selection})
    assert [len(b) for b in buffers] == [8]  # one binary frame, 4 bytes a point
    widget.select(["ex40", "ex3"])  # the same again: a new value, so the page reopens its list
    assert widget._selection["from_python"] > first["from_python"]
    # a page displayed later gets it in its first state
    assert widget.get_state()["_selection"]["from_python"] == widget._selection["from_python"]


def test_select_with_unknown_ids_names_them_and_changes_nothing(widget):
    widget.select(["ex1", "ex2"])
    before = (dict(widget._selection), list(widget._selected_index))
    with pytest.raises(ValueError, match=r"2 of 3 ids .* \['nope', 'ex99'\].*ex0") as err:
        widget.select(["ex1", "nope", "ex99"])
    assert "Nothing was selected" in str(err.value)
    with pytest.raises(ValueError, match="one value per example \\(50\\), got 3"):
        widget.select(np.array([True, False, True]))
    with pytest.raises(ValueError, match="1 of 1 ids"):
        widget.select([7])  # ints where the ids are strings
    with pytest.raises(TypeError, match="single True/False"):
        widget.select(True)
    with pytest.raises(ValueError, match="1-D"):
        widget.select(np.array([["ex1"]]))
    assert (dict(widget._selection), list(widget._selected_index)) == before
    assert widget.selected == ["ex1", "ex2"]


def test_select_on_default_integer_ids():
    w = DataMapWidget(labels=[0, 1, 0, 1, 1])
    w.select(np.array([4, 0]))
    assert w.selected == [0, 4]
    with pytest.raises(ValueError, match=r"1 of 2 ids .*\[5\]"):
        w.select([4, 5])
