"""`w.select(...)` from Python: the page shows the selection and opens its review list on it,
while it is displayed, while a training cell runs, and when it is displayed later; a selection
made in the page is what `w.selected` reads; unknown ids change nothing."""

import time

import pytest
from dmw import MapView
from harness import CellError
from test_widget_click import CLICK_DATA, NAMES
from test_widget_select import wait_python_selected

pytestmark = pytest.mark.browser


def show(wnb, renderer="gl", n=3000, epochs=3):
    view = MapView.show(
        wnb, CLICK_DATA.format(n=n, names=NAMES, renderer=renderer, epochs=epochs), timeout=90
    )
    view.wait_epoch_text(f"Epoch {epochs} / {epochs}")
    view.wait_painted(epochs)
    return view


def list_state(view: MapView) -> dict:
    return view.call(
        "({open: h.reviewListOpen(), rows: h.reviewRows(), selection: h.selection(),"
        " current: h.selectedIndex(),"
        " caption: h.el.querySelector('.dmw-rv-caption').textContent,"
        " listShown: h.el.querySelector('.dmw-rv-list').style.display !== 'none'})"
    )


@pytest.mark.parametrize("renderer,n", [("svg", 400), ("gl", 3000)], ids=["svg", "gl"])
def test_select_from_python_then_in_the_page(wnb, renderer, n):
    view = show(wnb, renderer, n)
    assert not view.call("h.reviewListOpen()")
    # ids (any order), as a user would pick them: a DataFrame from the metrics
    wnb.execute(
        "df = w.to_dataframe()\n"
        "picked = df[(df.confidence > 0.6) & (df.text.str.endswith('dull'))]\n"
        "w.select(picked)"
    )
    want = wnb.py("[int(i[2:]) for i in w.selected]")
    assert len(want) >= 10
    assert wnb.py("w.selected") == [f"ex{i}" for i in want]  # at once, in dataset order
    view.wait_for("h.selection().length === arg", len(want), timeout=10)
    state = list_state(view)
    assert state["selection"] == want
    assert state["open"] and state["listShown"] and state["rows"] == len(want)
    assert "selected from Python" in state["caption"]
    assert view.text_of(".dmw-selection-count") == f"{len(want)} selected"
    view.shot("selected-from-python")

    # one id: selected, the current point (panel), and the list opens on it too
    wnb.execute("w.select('ex17')")
    view.wait_for("h.selectedIndex() === 17", timeout=10)
    state = list_state(view)
    assert state["selection"] == [17] and state["open"] and state["rows"] == 1
    assert view.text_of(".dmw-title").startswith("Example id ex17")

    # the page's own selection (Select: region) is what Python reads; its list opens by size
    view.part(".dmw-select-by").select_option("region:hard-to-learn")
    ref = wnb.py("w.dynamics.metrics().region.astype(str).tolist()")
    hard = [i for i, r in enumerate(ref) if r == "hard-to-learn"]
    view.wait_for("h.selection().length === arg", len(hard), timeout=10)
    wait_python_selected(wnb, [f"ex{i}" for i in hard])
    assert "selected from Python" not in list_state(view)["caption"]

    # unknown ids: an error in the cell, the page's selection untouched
    with pytest.raises(CellError, match=r"1 of 2 ids .*no-such-id"):
        wnb.execute("w.select(['ex1', 'no-such-id'])")
    time.sleep(0.5)  # what the kernel would have sent has arrived by now
    assert view.call("h.selection()") == hard
    assert wnb.py("w.selected") == [f"ex{i}" for i in hard]

    # None clears both, and the list closes again
    wnb.execute("w.select(None)")
    view.wait_for("h.selection().length === 0 && h.selectedIndex() === null", timeout=10)
    assert not view.call("h.reviewListOpen()")


def test_select_while_training_runs_and_before_display(wnb):
    view = show(wnb, "gl", 3000, epochs=2)
    loop = wnb.run_nowait(
        "w.log_epoch(epoch_probs())\n"
        "w.select([f'ex{i}' for i in range(0, 3000, 7)])\n"
        "time.sleep(4.0)\n"
        "w.log_epoch(epoch_probs())\n"
        "print('TRAINING-FINISHED')\n"
    )
    want = list(range(0, 3000, 7))
    view.wait_for("h.selection().length === arg", len(want), timeout=10)
    assert loop.running() and wnb.kernel_status() == "busy", "the cell ended before the check"
    assert view.call("h.selection()") == want
    assert view.call("h.reviewListOpen()") and view.call("h.reviewRows()") == len(want)
    view.shot("selected-during-training")
    loop.wait(30)
    assert "TRAINING-FINISHED" in loop.text()
    view.wait_epoch_text("Epoch 4 / 4")
    assert view.call("h.selection()") == want  # epochs do not drop it

    # a widget selected before it is displayed shows the selection, its list open
    wnb.execute("w2 = DataMapWidget(texts=texts, labels=labels, ids=ids, renderer='gl')")
    wnb.execute("w2.log_epoch(epoch_probs()); w2.select(['ex5', 'ex6', 'ex2999'])")
    later = MapView.show(wnb, "w2")
    later.wait_epoch_text("Epoch 1 / 1")
    later.wait_for("h.selection().length === 3", timeout=10)
    assert later.call("h.selection()") == [5, 6, 2999]
    assert later.call("h.reviewListOpen()") and later.call("h.reviewRows()") == 3
    assert view.call("h.selection()") == want  # the other widget keeps its own
