"""Scenario "compare" of bench_widget.py: two runs side by side while both grow.

A widget on a run of N examples with ``compare=`` its in-sample twin (the same ids, as
cross-fitting gives) is displayed; a training cell logs an epoch to both runs every 3 s (the
held-out one first, as ``CrossFitRouter.end_epoch`` does) while the harness clicks the map
toggle every ~1.2 s, alternating the two runs, and now and then the "moved" view. Measured, from
the click's event time in the page: the first frame of the other run's map (the tween's first
raster frame) and the end of that transition; the moved view drawn; and, as in the live
scenario, each ``log_epoch`` to the first paint of that epoch, the page's timer lag and the
bytes of the compared run's epoch messages.
"""

from __future__ import annotations

import time

COMPARE_DATA = """
from datamap_widget import TrainingDynamics
N = {n}
rng = np.random.default_rng(0)
labels = rng.integers(0, 2, N)
texts = [f'example {{i}}: some text of a training example' for i in range(N)]
held = TrainingDynamics(labels, label_names=['neg', 'pos'])
ins = TrainingDynamics(labels, label_names=['neg', 'pos'])
held.in_sample = ins
centre = rng.uniform(0.05, 0.95, N)
P = [np.clip(centre + rng.normal(0, 0.2, N), 0.001, 0.999).astype(np.float32) for _ in range(6)]
Q = [np.clip(p + 0.25, 0.001, 0.999) for p in P]  # in-sample: more confident
held.log_epoch(P[0]); ins.log_epoch(Q[0])
w = DataMapWidget(dynamics=held, texts=texts, compare=ins)
w
"""

TRAINING = """
_sent = []
_send = w.comm.send
def _counting_send(*a, **k):
    data = a[0] if a else k.get('data')
    bufs = k.get('buffers') or (a[1] if len(a) > 1 else None) or []
    if isinstance(data, dict) and '_compare_epoch' in data.get('state', {{}}):
        _sent.append(sum(memoryview(b).nbytes for b in bufs))
    return _send(*a, **k)
w.comm.send = _counting_send
_log_times = []
try:
    for _e in range({epochs}):
        time.sleep({every})
        _log_times.append(time.time())
        held.log_epoch(P[_e % len(P)])
        ins.log_epoch(Q[_e % len(Q)])
finally:
    w.comm.send = _send
print('COMPARE-DONE')
"""

ARM = """() => {
  window.__cmp = { t0: null };
  const first = (e) => { if (window.__cmp.t0 === null) window.__cmp.t0 = e.timeStamp; };
  window.addEventListener('pointerdown', first, { capture: true, once: true });
}"""


def toggle(nb, view, mode: str) -> dict:
    """Click the map toggle; ms from the click to the new map's first frame and to its end."""
    nb.page.evaluate(ARM)
    view.part(f'.dmw-compare-mode[data-mode="{mode}"]').click()
    out = {"mode": mode, "first_ms": None, "end_ms": None, "moved_ms": None}
    try:
        if mode == "moved":
            view.wait_for(
                "window.__cmp.t0 !== null && h.movedDrawn().cells > 0"
                " && h.layersDrawnAt() > window.__cmp.t0",
                timeout=10,
                polling=5,
            )
            t0 = nb.page.evaluate("() => window.__cmp.t0")
            out["moved_ms"] = view.call("h.layersDrawnAt()") - t0
            return out
        view.wait_for(  # keep the toggle's own transition: an epoch may start another one
            "window.__cmp.t0 !== null && (() => { const t = h.lastTransition();"
            " const ok = t && t.start >= window.__cmp.t0 && t.first !== null;"
            " if (ok) window.__cmp.t = t; return ok; })()",
            timeout=10,
            polling=5,
        )
        t0, own = nb.page.evaluate("() => [window.__cmp.t0, window.__cmp.t]")
        out["first_ms"] = own["first"] - t0
        t = view.wait_transition_done(after=t0, timeout=30, settle=0.3, idle_ms=3000)
        if t["start"] == own["start"]:  # else an epoch's transition took over: no end to report
            out["end_ms"] = (t["end"] or t["first"]) - t0
        else:
            out["interrupted"] = True
    except Exception as exc:  # a missed measurement is reported, not fatal
        out["error"] = str(exc)[:200]
    return out


def bench_compare(nb, n: int = 60_000, epochs: int = 8, every: float = 3.0, click_every=1.2):
    from bench_widget import LIVE_PROBES, percentile
    from dmw import MapView

    view = MapView.show(nb, COMPARE_DATA.format(n=n), timeout=600)
    view.wait_painted(1, timeout=600)
    view.wait_for("h.compareEpochs() === 1", timeout=120)
    view.wait_transition_done(after=0, timeout=300, settle=1.0, idle_ms=3000)
    modes = ["other", "main", "moved"]  # moved -> main would redraw no map: never measured
    idle = [toggle(nb, view, m) for m in modes * 2]
    origin = nb.page.evaluate(LIVE_PROBES)
    loop = nb.run_nowait(TRAINING.format(epochs=epochs, every=every))
    busy, flags = [], []
    k = 0
    deadline = time.monotonic() + epochs * every + 0.5
    while time.monotonic() < deadline and loop.running():
        t_next = time.monotonic() + click_every
        flags.append(nb.kernel_status() == "busy")
        busy.append(toggle(nb, view, modes[k % len(modes)]))
        k += 1
        time.sleep(max(0.0, t_next - time.monotonic()))
    loop.wait(epochs * every + 120)
    newest = epochs + 1
    view.wait_for("h.compareEpochs() === arg", newest, timeout=120)
    log_times = nb.py("_log_times")
    sent = nb.py("_sent")
    live = nb.page.evaluate("() => { window.__live.running = false; return window.__live; }")
    painted = {t["epoch"]: view.painted_at(t["epoch"]) for t in view.call("h.transitionsBegun()")}
    delays = []
    for e, t_log in enumerate(log_times, start=2):
        firsts = [p for ep, p in painted.items() if ep >= e and p is not None]
        delays.append((origin + min(firsts)) / 1000 - t_log if firsts else None)
    t0_live = (log_times[0] - every) * 1000 - origin
    lags = [lag for t, lag in live["lags"] if t >= t0_live]
    renderer, frame_ms = view.renderer, view.call("h.frameCostMs()")
    nb.execute("w.close(); del w, P, Q")
    return {
        "n": n,
        "renderer": renderer,
        "idle": idle,
        "busy": busy,
        "busy_flags": f"{sum(flags)}/{len(flags)}",
        "delays_ms": [None if d is None else 1000 * d for d in delays],
        "timer_lag": lags,
        "bytes": sent,
        "frame_ms": frame_ms,
        "p": percentile,
    }


def report_compare(r: dict) -> None:
    p = r["p"]

    def stats(rows, key):
        values = [x[key] for x in rows if x.get(key) is not None]
        if not values:
            return "n/a"
        return f"{p(values, 50):.0f} / {p(values, 95):.0f} / {max(values):.0f} (n={len(values)})"

    print(
        f"\ncompare scenario, {r['n']:,} points ({r['renderer']}), two runs; ms from the click,"
        " p50 / p95 / max"
    )
    print("| kernel | toggle -> first frame | toggle -> transition end | moved view drawn |")
    print("|---|---|---|---|")
    for phase in ("idle", "busy"):
        rows = r[phase]
        print(
            f"| {phase} | {stats(rows, 'first_ms')} | {stats(rows, 'end_ms')} |"
            f" {stats(rows, 'moved_ms')} |"
        )
    missed = [x for x in r["idle"] + r["busy"] if "error" in x]
    cut = sum(1 for x in r["busy"] if x.get("interrupted"))
    d = [v for v in r["delays_ms"] if v is not None]
    lag = r["timer_lag"]
    print(
        f"busy: kernel busy at {r['busy_flags']} toggles; log_epoch -> painted p50 / max:"
        f" {p(d, 50):.0f} / {max(d, default=float('nan')):.0f} ms; timer lag p50 / p95 / max:"
        f" {p(lag, 50):.0f} / {p(lag, 95):.0f} / {max(lag, default=0):.0f} ms;"
        f" compared run's epoch message: {r['bytes'][0] if r['bytes'] else 0:,} bytes"
        f" (all {sorted(set(r['bytes']))}); raster frame {r['frame_ms'] or 0:.1f} ms;"
        f" missed measurements: {len(missed)}; toggles whose tween an epoch took over: {cut}"
    )
