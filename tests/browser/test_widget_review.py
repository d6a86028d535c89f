"""Reviewing in the page: the selection as a sortable, virtualised list whose rows open the detail
view; the review queue with keys that act only while the widget has focus; decisions made while
a training cell runs all reach `w.reviews` once it ends (none lost, none twice) and a reloaded
page shows them; texts and label names are shown literally in the list."""

import itertools
import time

import numpy as np
import pytest
from dmw import MapView

pytestmark = pytest.mark.browser

IMG = "<img src=x onerror=alert(1)>"
NAMES = ["<b>cat</b>", "dog", IMG]

DATA = """
rng = np.random.default_rng(5)
N = {n}
labels = rng.integers(0, 3, N)
texts = [{img!r} if i == 3 else f'comment {{i}} about ' + ('films' if i % 2 else 'books') for i in range(N)]
ids = [f'c{{i}}' for i in range(N)]
w = DataMapWidget(texts=texts, labels=labels, ids=ids, label_names={names!r}, renderer='svg')
def epoch_probs():
    return rng.dirichlet(np.ones(3), N)
P = [epoch_probs() for _ in range(3)]
for p in P:
    w.log_epoch(p)
w
"""

# The label-issue score of the run after its first k epochs, for k = 1..3.
SCORES_AFTER = """
from datamap_widget import TrainingDynamics
from datamap_widget.label_issues import label_issues
def scores_after(k):
    td = TrainingDynamics(labels, ids=ids)
    for p in P[:k]:
        td.log_epoch(p)
    return label_issues(td)['score'].reindex(td.ids).astype('float32').tolist()
"""


def text_of(i: int) -> str:
    return IMG if i == 3 else f"comment {i} about " + ("films" if i % 2 else "books")


def show(wnb, n=300) -> MapView:
    view = MapView.show(wnb, DATA.format(n=n, img=IMG, names=NAMES), timeout=90)
    view.wait_epoch_text("Epoch 3 / 3")
    view.wait_for("h.hasScores()", timeout=10)
    return view


def rows(view: MapView) -> list[dict]:
    return view.call(
        "Array.from(h.el.querySelectorAll('.dmw-rv-row')).map(r => ({i: Number(r.dataset.index),"
        " cells: Array.from(r.children).map(c => c.textContent), current:"
        " r.classList.contains('dmw-rv-current')}))"
    )


def focus_widget(view: MapView) -> None:
    view.part(".dmw-rv-caption").click()  # a click inside the widget focuses its root
    assert view.call("document.activeElement === h.el"), "the widget root did not take focus"


def test_list_shows_selection_sorts_and_opens_detail(wnb):
    view = show(wnb)
    # no selection: the queue holds every example, most likely mislabeled first; the list is
    # closed (the widget stays short) until opened
    # the score the kernel sent with the newest epoch: the run's label-issue score, of epoch 3,
    # or of an earlier epoch when computing it took long (the widget then reuses it a while)
    scores = wnb.py("np.frombuffer(bytes(w._epoch['score']['buffer']), np.float32).tolist()")
    wnb.execute(SCORES_AFTER)
    after = [wnb.py(f"scores_after({k})") for k in (1, 2, 3)]
    assert any(np.allclose(scores, a, atol=1e-6) for a in after)
    ranked = view.call("h.reviewOrder()")
    assert sorted(ranked) == list(range(300))
    assert all(
        np.float32(scores[a]) >= np.float32(scores[b]) for a, b in itertools.pairwise(ranked)
    )
    assert not view.call("h.reviewListOpen()") and rows(view) == []
    view.part(".dmw-rv-toggle").click()
    view.wait_for("h.reviewListOpen()", timeout=5)
    assert [r["i"] for r in rows(view)] == ranked[: len(rows(view))]
    assert "most likely mislabeled first" in view.text_of(".dmw-rv-caption")
    chosen = list(range(3, 300, 7))  # 43 points, with the payload text at index 3
    view.call("h.setSelection(arg)", chosen)
    view.wait_for("h.reviewRows() === arg", len(chosen), timeout=5)
    assert view.text_of(".dmw-rv-caption") == f"{len(chosen)} selected examples"
    shown = rows(view)
    assert 0 < len(shown) < len(chosen), "the list must render only a window of its rows"
    assert [r["i"] for r in shown] == chosen[: len(shown)]
    gold = wnb.py("w.dynamics.gold().tolist()")
    ref = np.round(scores, 3)  # the score column shows the score sent (see above)
    pos = view.positions()
    for r in shown:
        i = r["i"]
        assert r["cells"][0] == text_of(i) and r["cells"][1] == NAMES[gold[i]]
        assert float(r["cells"][2]) == pytest.approx(float(pos[i, 1]), abs=6e-4)
        assert float(r["cells"][3]) == pytest.approx(float(pos[i, 2]), abs=6e-4)
        assert float(r["cells"][4]) == pytest.approx(float(ref[i]), abs=1.1e-3)
    # sorted by confidence (ascending, then descending on a second click)
    header = view.root.locator(".dmw-rv-header .dmw-rv-sortable", has_text="Conf.")
    header.click()
    want = sorted(chosen, key=lambda i: (np.float32(pos[i, 1]), chosen.index(i)))
    assert view.call("h.reviewOrder()") == want
    assert [r["i"] for r in rows(view)] == want[: len(rows(view))]
    header.click()
    order = view.call("h.reviewOrder()")
    assert [pos[i, 1] for i in order] == sorted([pos[i, 1] for i in chosen], reverse=True)
    # scrolling the list renders the rows further down
    view.part(".dmw-rv-list").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    view.wait_for(
        "Number(h.el.querySelector('.dmw-rv-row:last-child').dataset.index) === arg",
        order[-1],
        timeout=5,
    )
    # a row opens the detail view and makes its example the current point
    row = view.root.locator(f'.dmw-rv-row[data-index="{order[-2]}"]')
    row.click()
    view.wait_for("h.selectedIndex() === arg", order[-2], timeout=5)
    assert view.text_of(".dmw-text") == text_of(order[-2])
    assert view.root.locator(".dmw-rv-current").get_attribute("data-index") == str(order[-2])
    # payloads in texts and label names show literally in the list
    view.call("h.setSelection(arg)", [3, 4])
    view.wait_for("h.reviewRows() === 2", timeout=5)
    cells = {r["i"]: r["cells"] for r in rows(view)}
    assert cells[3][0] == IMG and cells[3][1] == NAMES[gold[3]]
    options = view.part(".dmw-rv-picker").evaluate(
        "s => Array.from(s.options).slice(1).map(o => [o.textContent, o.children.length])"
    )
    assert options == [[f"{c + 1} {name}", 0] for c, name in enumerate(NAMES)]
    # the class picker (multiclass "w"): choosing a class decides and gives the keys back
    view.call("h.setSelection(arg)", [5, 6])
    first, second = view.call("h.reviewOrder()")  # the list is still sorted by confidence
    focus_widget(view)
    wnb.page.keyboard.press("j")
    view.wait_for("h.selectedIndex() === arg", first, timeout=5)
    wnb.page.keyboard.press("w")
    assert view.call("document.activeElement === h.el.querySelector('.dmw-rv-picker')")
    other = (gold[first] + 2) % 3
    view.part(".dmw-rv-picker").select_option(str(other))
    view.wait_for("h.selectedIndex() === arg", second, timeout=5)
    assert view.call("document.activeElement === h.el")
    assert view.call("h.reviewCodes()[arg]", first) == 2
    wnb.page.wait_for_timeout(300)
    assert view.call("h.el.querySelectorAll('img, script, b').length") == 0
    assert wnb.dialogs == []
    view.shot("review-list")


def test_queue_keys_act_only_while_the_widget_has_focus(wnb):
    view = show(wnb)
    chosen = [10, 20, 30, 40, 50]
    view.call("h.setSelection(arg)", chosen)
    gold = wnb.py("w.dynamics.gold().tolist()")
    focus_widget(view)
    kb = wnb.page.keyboard
    kb.press("j")  # first key: the first example of the queue
    view.wait_for("h.selectedIndex() === 10", timeout=5)
    kb.press("j")
    kb.press("j")
    view.wait_for("h.selectedIndex() === 30", timeout=5)
    kb.press("k")
    view.wait_for("h.selectedIndex() === 20", timeout=5)
    assert view.text_of(".dmw-text") == text_of(20)
    assert view.text_of(".dmw-rv-where") == "2 / 5"
    # number key: the class with that number (1-based); a decision moves on to the next example
    other = (gold[20] + 1) % 3
    kb.press(str(other + 1))
    view.wait_for("h.selectedIndex() === 30", timeout=5)
    kb.press("c")
    view.wait_for("h.selectedIndex() === 40", timeout=5)
    kb.press("x")
    view.wait_for("h.selectedIndex() === 50", timeout=5)
    codes = view.call("h.reviewCodes()")
    assert [codes[i] for i in chosen] == [0, 2, 1, 3, 0]
    deadline = time.monotonic() + 15
    while len(wnb.py("w.reviews.index.tolist()")) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    df = wnb.py(
        "[w.reviews.index.tolist(), w.reviews.verdict.astype(str).tolist(),"
        " w.reviews.new_label.tolist()]"
    )
    assert df[0] == ["c20", "c30", "c40"] and df[1] == ["wrong", "correct", "remove"]
    assert df[2][0] == NAMES[other]
    # typing in a cell editor: j/k go into the cell, the widget does not move
    cell = wnb.run_nowait("x = 1")
    wnb.page.wait_for_timeout(300)
    editor = wnb.page.locator(f"{cell.selector} .cm-content")
    editor.click()
    kb.press("End")
    kb.type("jk")
    wnb.page.wait_for_timeout(300)
    assert view.selected_index() == 50
    assert "x = 1jk" in editor.text_content()
    # the notebook's command mode (Esc in the cell): j/k move JupyterLab's cell cursor, not ours
    kb.press("Escape")
    active = (
        "() => Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell')).findIndex(c =>"
        " c.classList.contains('jp-mod-active'))"
    )
    before = wnb.page.evaluate(active)
    kb.press("k")
    wnb.page.wait_for_timeout(300)
    assert view.selected_index() == 50 and wnb.page.evaluate(active) == before - 1
    # back in the widget, j/k are the widget's again and JupyterLab's cell cursor stays
    focus_widget(view)
    before = wnb.page.evaluate(active)
    kb.press("k")
    view.wait_for("h.selectedIndex() === 40", timeout=5)
    assert wnb.page.evaluate(active) == before


def test_30_decisions_while_busy_all_arrive_and_survive_a_reload(wnb, tmp_path):
    view = show(wnb)
    chosen = list(range(0, 300, 9))[:30]
    view.call("h.setSelection(arg)", chosen)
    gold = wnb.py("w.dynamics.gold().tolist()")
    # The training cell logs an epoch every 4 s until the test has made its 30 decisions (it
    # creates `stop`), 90 s at most: a slow machine cannot end the cell before the decisions.
    stop = tmp_path / "stop"
    loop = wnb.run_nowait(
        "import os\n"
        "for _k in range(180):\n"
        "    time.sleep(0.5)\n"
        "    if _k % 8 == 7:\n"
        "        w.log_epoch(epoch_probs())\n"
        f"    if os.path.exists({str(stop)!r}):\n"
        "        break\n"
        "print('TRAINING-FINISHED')\n"
    )
    view.wait_for("true", timeout=1)
    wnb.page.wait_for_timeout(500)
    assert loop.running() and wnb.kernel_status() == "busy"
    focus_widget(view)
    kb = wnb.page.keyboard
    kb.press("j")
    view.wait_for("h.selectedIndex() === arg", chosen[0], timeout=5)
    expected = []
    for step, i in enumerate(chosen):
        view.wait_for("h.selectedIndex() === arg", i, timeout=5)
        kind = step % 3
        if kind == 0:
            kb.press("c")
            expected.append((f"c{i}", "correct", None))
        elif kind == 1:
            cls = (gold[i] + 1) % 3
            kb.press(str(cls + 1))
            expected.append((f"c{i}", "wrong", NAMES[cls]))
        else:
            kb.press("x")
            expected.append((f"c{i}", "remove", None))
    # shown at once; they reach the kernel when it handles comm messages (ipykernel 7 may do so
    # while a cell runs, older kernels after it): either way, each exactly once
    view.wait_for("h.reviewCodes().filter(c => c !== 0).length === 30", timeout=5)
    # The cell's reply has not come: it is still running. (The kernel's status is no witness:
    # ipykernel 7 answers comm messages during a cell and reports "idle" after each one.)
    assert loop.running(), "the cell ended before 30 decisions"
    assert "TRAINING-FINISHED" not in loop.text()
    codes = view.call("h.reviewCodes()")
    assert sum(c != 0 for c in codes) == 30
    view.shot("decisions-while-busy")
    stop.touch()
    loop.wait(60)
    assert "TRAINING-FINISHED" in loop.text()
    view.wait_for("h.pendingDecisions() === 0", timeout=20)
    got = wnb.py(
        "[w.reviews.index.tolist(), w.reviews.verdict.astype(str).tolist(),"
        " [None if x is None or x != x else x for x in w.reviews.new_label.tolist()],"
        " w.reviews.decision_id.nunique()]"
    )
    assert list(zip(*got[:3])) == expected  # all 30, in the order made, none twice
    assert got[3] == 30
    wnb.save()
    wnb.reload()
    again = MapView.nth(wnb, 0, timeout=60)
    again.wait_for("h.reviewCodes().filter(c => c !== 0).length === 30", timeout=20)
    assert again.call("h.reviewCodes()") == codes
    assert again.call("h.pendingDecisions()") == 0
    assert wnb.py("len(w.reviews)") == 30  # the reload sent nothing twice


def test_multilabel_wrong_flips_the_shown_label_and_marks_only_that_label(wnb):
    view = MapView.show(
        wnb,
        (
            "rng = np.random.default_rng(8)\n"
            "N = 80\n"
            "hot = rng.integers(0, 2, (N, 2))\n"
            "images = rng.integers(0, 256, (N, 6, 6)).astype(np.uint8)\n"
            "w = DataMapWidget(images=images, labels=hot, label_names=['joy', 'anger'],"
            " task='multilabel', renderer='svg')\n"
            "for _ in range(2):\n"
            "    w.log_epoch(rng.uniform(0, 1, (N, 2)))\n"
            "w"
        ),
    )
    view.wait_epoch_text("Epoch 2 / 2")
    view.call("h.setSelection(arg)", [4, 9])
    view.wait_for("h.reviewRows() === 2", timeout=5)
    assert view.call("h.el.querySelectorAll('.dmw-rv-row canvas.dmw-rv-thumb').length") == 2
    focus_widget(view)
    wnb.page.keyboard.press("j")
    view.wait_for("h.selectedIndex() === 4", timeout=5)
    wnb.page.keyboard.press("w")  # flips "joy" for example 4
    view.wait_for("h.selectedIndex() === 9", timeout=5)
    deadline = time.monotonic() + 15
    while wnb.py("len(w.reviews)") < 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    got = wnb.py(
        "[w.reviews.index.tolist(), w.reviews.label.tolist(), w.reviews.gold_label.iloc[0] == 'joy',"
        " w.reviews.new_label.iloc[0] == 'joy', bool(hot[4, 0])]"
    )
    assert got[0] == [4] and got[1] == ["joy"] and got[2] == got[4] and got[3] == (not got[4])
    assert view.call("h.reviewCodes()[4]") == 2
    wnb.execute("w.label = 'anger'")
    view.wait_for("h.reviewCodes()[4] === 0", timeout=15)  # a decision about joy, not anger
