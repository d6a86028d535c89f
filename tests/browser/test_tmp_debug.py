import time
from dmw import MapView
from test_widget_animation import JUMP_DATA, GROUP

def test_dbg(wnb):
    view = MapView.show(wnb, JUMP_DATA.format(n=5000, group=GROUP, renderer="gl"), timeout=120)
    view.wait_epoch_text("Epoch 2 / 2", timeout=60)
    view.wait_painted(2, timeout=60)
    view.wait_transition_done(after=0, timeout=60)
    print(view.call("[h.transitionsBegun(), h.animating(), h.lastTransition(), performance.now()]"))
    wnb.page.wait_for_timeout(300)
    wnb.run_nowait("w.log_epoch(epochs[2])")
    view.wait_epoch_text("Epoch 3 / 3", timeout=30)
    for k in range(5):
        print(view.call("[h.transitionsBegun(), h.animating(), h.lastTransition(), performance.now()]"))
        time.sleep(0.2)
