"""The widget works in Jupyter Notebook 7 (`jupyter notebook`), not only in JupyterLab: it
displays, follows epochs logged by a running cell, and a click fills the panel."""

import importlib.util
import time

import pytest
from dmw import KERNEL_PRELUDE, MapView
from harness import ARTIFACTS, LabServer, NotebookPage, require_prerequisites
from test_widget_click import CLICK_DATA, NAMES, isolated_point, text_of

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def notebook7_server():
    try:
        require_prerequisites()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    if importlib.util.find_spec("notebook") is None:
        pytest.fail(
            "Notebook 7 is missing: python -m pip install 'notebook>=7' "
            "(it is in the `test` extra)",
            pytrace=False,
        )
    server = LabServer(app="notebook", log_path=ARTIFACTS / "notebook7-server.log")
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


def test_widget_in_notebook7(request, notebook7_server, chromium, widget_available):
    nb = NotebookPage(notebook7_server, chromium.context, artifact_prefix=request.node.name)
    request.node._dmw_notebook = nb
    try:
        nb.open()
        nb.execute(KERNEL_PRELUDE, timeout=120)
        view = MapView.show(nb, CLICK_DATA.format(n=300, names=NAMES, renderer="svg", epochs=1))
        view.wait_epoch_text("Epoch 1 / 1")
        loop = nb.run_nowait(
            "for _ in range(3):\n    time.sleep(1.5)\n    w.log_epoch(epoch_probs())\n"
        )
        view.wait_epoch_text("Epoch 2 / 2", timeout=20)
        assert loop.running(), "epoch 2 reached the page only after the cell ended"
        i = isolated_point(view)
        t0 = time.monotonic()
        nb.page.mouse.click(*view.client_xy(i))
        view.wait_for("h.el.querySelector('.dmw-text').textContent === arg", text_of(i), timeout=5)
        latency = time.monotonic() - t0
        view.shot("notebook7-clicked")
        loop.wait(30)
        view.wait_epoch_text("Epoch 4 / 4")
        assert view.selected_index() == i
        print(f"Notebook 7: click -> panel {latency * 1000:.0f} ms while the cell ran")
    finally:
        nb.close()
