import time
from dmw import MapView

def test_dbg(wnb):
    view = MapView.show(wnb, "w = DataMapWidget(labels=np.arange(3000) % 2, renderer='gl')\nw.log_epoch(np.random.rand(3000))\nw.log_epoch(np.random.rand(3000))\nw", timeout=300)
    view.wait_painted(2, timeout=60)
    time.sleep(1)
    print(view.call("(() => { const c = h.el.querySelector('canvas.dmw-raster'); return c ? [c.style.cssText, c.width, c.height, c.parentNode.className] : null; })()"))
    print(wnb.page.evaluate("() => window.__errs || null"), wnb.console[-10:])
    view.shot("dbg")
