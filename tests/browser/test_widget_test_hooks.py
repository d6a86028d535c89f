"""The widget's test handle and paint tracking exist only when the page opts in (the harness sets
`window.__datamapWidgetTestHooks` before the page loads); a user's page gets neither, and nothing
is put on `window`."""

import pytest

pytestmark = pytest.mark.browser


def test_no_handle_without_the_opt_in(wnb):
    wnb.page.evaluate("() => { window.__datamapWidgetTestHooks = false; }")
    cell = wnb.run(
        "w = DataMapWidget(texts=['a', 'b', 'c'], labels=[0, 1, 0])\n"
        "w.log_epoch(np.array([0.2, 0.9, 0.4]))\n"
        "w"
    )
    epoch = wnb.wait_output(".datamap-widget .dmw-epoch", cell=cell)
    wnb.page.wait_for_function(
        "e => e.textContent.trim() === 'Epoch 1 / 1'", arg=epoch.element_handle()
    )
    found = wnb.page.evaluate("""() => ({
        handles: Array.from(document.querySelectorAll('.datamap-widget'))
                      .filter(el => el.__datamapWidget !== undefined).length,
        globals: Object.keys(window).filter(k => /datamap/i.test(k) && k !== '__datamapWidgetTestHooks'),
    })""")
    assert found == {"handles": 0, "globals": []}, found
    # With the opt-in back on, the next view publishes its handle on its own element.
    wnb.page.evaluate("() => { window.__datamapWidgetTestHooks = true; }")
    again = wnb.run("w")
    wnb.page.wait_for_function("id => !!__t.dmw(id)", arg=again.id, timeout=30000)
    assert (
        wnb.page.evaluate("id => __t.dmw(id).el.isConnected && __t.dmw(id).nEpochs()", again.id)
        == 1
    )
