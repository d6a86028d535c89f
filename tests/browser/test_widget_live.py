"""Each logged epoch reaches the page while the training cell is still running,
as one batched update (one comm message) per epoch."""

import time

import pytest
from dmw import MapView, assert_close_positions

pytestmark = pytest.mark.browser

N_EPOCHS = 5


def test_epochs_reach_page_while_cell_runs(wnb):
    view = MapView.show(
        wnb,
        (
            "rng = np.random.default_rng(0)\n"
            "N = 400\n"
            "labels = rng.integers(0, 2, N)\n"
            "w = DataMapWidget(texts=[f'text {i}' for i in range(N)], labels=labels)\n"
            "w"
        ),
    )
    assert view.epoch_text() == "No epochs logged yet"
    view.shot("before-training")

    loop = wnb.run_nowait(
        "sent = []\n"
        "_send = w.comm.send\n"
        "w.comm.send = lambda *a, **k: (sent.append(1), _send(*a, **k))[1]\n"
        "try:\n"
        f"    for epoch in range({N_EPOCHS}):\n"
        "        p = np.clip(rng.normal(0.3 + 0.12 * epoch, 0.2, N), 0, 1)\n"
        "        before = len(sent)\n"
        "        w.log_epoch(p)\n"
        "        assert len(sent) - before == 1, f'epoch {epoch}: {len(sent) - before} comm messages'\n"
        "        time.sleep(1.0)\n"
        "finally:\n"
        "    w.comm.send = _send\n"
        "print('TRAINING-FINISHED')\n"
    )
    seen = {}
    deadline = time.monotonic() + N_EPOCHS * 1.0 + 20
    while time.monotonic() < deadline and len(seen) < N_EPOCHS:
        text = view.epoch_text()
        k = view.shown_epoch()
        if k and k not in seen and text == f"Epoch {k} / {k}":
            # The epoch is on the page: the training cell must still be running.
            painted = view.wait_painted(k, timeout=5)
            running = loop.running()
            busy = wnb.kernel_status()
            seen[k] = dict(
                painted=painted,
                running=running,
                busy=busy,
                final="TRAINING-FINISHED" in loop.text(),
            )
            if k == 2:
                view.shot("mid-training-epoch-2")
        time.sleep(0.05)
    loop.wait(30)
    assert sorted(seen) == list(range(1, N_EPOCHS + 1)), f"epochs seen on the page: {sorted(seen)}"
    # All but the last epoch must have been shown while the loop was still sleeping after it.
    for k in range(1, N_EPOCHS + 1):
        s = seen[k]
        assert s["painted"] is not None, f"epoch {k} never painted"
        assert s["running"] and s["busy"] == "busy" and not s["final"], (
            f"epoch {k} reached the page only after the cell ended: {s}"
        )
    assert "TRAINING-FINISHED" in loop.text()
    view.shot("after-training")
    want = wnb.py(
        "w.dynamics.metrics()[['variability','confidence','correctness']].to_numpy().tolist()"
    )
    import numpy as np

    assert_close_positions(view.positions(), np.asarray(want, dtype=np.float32), "final map")
