"""The harness itself, proven with plain ipywidgets before trusting it with the Data Map widget:
widgets render in the page, and a trait set from Python inside a running loop reaches the page
while the kernel is still busy."""

import time

import pytest

pytestmark = pytest.mark.browser


def test_button_renders(notebook):
    cell = notebook.run("import ipywidgets as W\nb = W.Button(description='Press me now')\nb")
    button = notebook.wait_output("button.jupyter-button", cell=cell)
    assert button.inner_text().strip() == "Press me now"
    notebook.screenshot("button", locator=cell.output)
    # Python state comes back through the silent channel.
    assert notebook.py("b.description") == "Press me now"


def test_slider_updates_while_cell_runs(notebook):
    notebook.run("import ipywidgets as W\ns = W.IntSlider(value=0, max=100)\ns")
    readout = notebook.wait_output(".widget-readout")
    assert readout.inner_text().strip() == "0"
    loop = notebook.run_nowait(
        "import time\n"
        "for v in (10, 20, 30, 40):\n"
        "    s.value = v\n"
        "    time.sleep(1.0)\n"
        "print('LOOP-DONE')"
    )
    seen = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and "30" not in seen:
        text = readout.inner_text().strip()
        if not seen or seen[-1] != text:
            seen.append(text)
            # Each new value must arrive while the loop still runs in the kernel.
            if text in ("10", "20", "30"):
                assert loop.running(), f"value {text} arrived only after the cell ended"
                assert notebook.kernel_status() == "busy"
        time.sleep(0.05)
    notebook.screenshot("slider-mid-loop")
    assert "30" in seen, f"readout never reached 30 during the loop; saw {seen}"
    assert "LOOP-DONE" not in loop.text()
    loop.wait(30)
    assert "LOOP-DONE" in loop.text()
    assert readout.inner_text().strip() == "40"


def test_cell_error_is_reported(notebook):
    from harness import CellError

    with pytest.raises(CellError, match="ZeroDivisionError"):
        notebook.run("1/0")
