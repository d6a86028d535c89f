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
