"""Benchmark of the training-dynamics engine against a per-example Python loop.

For each case it prints the time of one ``log_epoch`` at epoch 1 and at epoch 50, the time of
``metrics()`` after 50 epochs, the peak and retained memory (tracemalloc) against the size of
the (E, N) float32 p(gold) array, and the speed-up over the same work done the way the
reference code (allenai/cartography) does it: a dict of per-example lists appended to in a
Python loop, then np.mean / np.std / a correctness and forgetting loop per example. The loop
baseline is timed (best of 2) on the first 43,410 examples and scaled linearly to N (its cost
is per example). Engine times are the best of --repeats measurements.

Targets: log + metrics for N = 1,000,000 binary under 50 ms; epoch 50 no slower than 1.2x
epoch 1; at least 100x faster than the loop.

Two more sections: ``log_batch`` per call for 20,000 examples in shuffled batches of 32
(target under 20 us with the default ids; with torch installed also torch-tensor batches and
the cost relative to one training step of a tiny MLP), and the per-label multilabel accessors
at 43,410 examples x 28 labels x 10 epochs, against ``gold_probabilities(label)`` (a plain
column copy) as the O(E N) baseline.

    python benchmarks/bench_dynamics.py [--epochs 50] [--repeats 7] [--only epochs|batches|labels]
"""

from __future__ import annotations

import argparse
import copy
import gc
import pathlib
import sys
import time
import tracemalloc

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # run from a checkout
import itertools

from datamap_widget import TrainingDynamics

BASELINE_EXAMPLES = 43_410


def make_outputs(rng, n, n_classes, epochs, logits):
    """Outputs drift towards the gold label over epochs, as in a real run."""
    gold = rng.integers(0, n_classes, n)
    outs = []
    for e in range(epochs):
        if n_classes == 2 and not logits:
            p1 = np.clip(rng.normal(0.5 + (gold - 0.5) * e / epochs, 0.2), 0, 1)
            outs.append(p1.astype(np.float32))
            continue
        z = rng.normal(size=(n, n_classes)).astype(np.float32)
        z[np.arange(n), gold] += 3.0 * e / epochs
        if logits:
            outs.append(z)
        else:
            z = np.exp(z - z.max(axis=1, keepdims=True))
            outs.append(z / z.sum(axis=1, keepdims=True))
    return gold, outs


def new_dynamics(gold, outs):
    task = "binary" if outs[0].ndim == 1 else "multiclass"
    return TrainingDynamics(
        gold, task=task, n_classes=None if task == "binary" else outs[0].shape[1]
    )


def engine_times(gold, outs, logits, repeats):
    """Best (least disturbed, as timeit) times of log_epoch at epoch 1 and at the last epoch,
    measured in alternation on copies of a fresh and of an (E-1)-epoch run so that both see the
    same machine load, and of metrics() after E epochs; plus the median per-epoch time of one
    straight run, for reference."""
    fresh = new_dynamics(gold, outs)
    run = new_dynamics(gold, outs)
    straight = []
    for out in outs[:-1]:
        t0 = time.perf_counter()
        run.log_epoch(out, logits=logits)
        straight.append(time.perf_counter() - t0)
    first, last, metrics_t = [], [], []
    for _ in range(repeats):
        for source, out, sink in ((fresh, outs[0], first), (run, outs[-1], last)):
            td = copy.deepcopy(source)
            t0 = time.perf_counter()
            td.log_epoch(out, logits=logits)
            sink.append(time.perf_counter() - t0)
            if sink is last:
                t0 = time.perf_counter()
                td.metrics()
                metrics_t.append(time.perf_counter() - t0)
            del td
    return min(first), min(last), min(metrics_t), np.median(straight)


def engine_memory(gold, outs, logits):
    gc.collect()
    tracemalloc.start()
    td = new_dynamics(gold, outs)
    for out in outs:
        td.log_epoch(out, logits=logits)
        td.metrics()  # the widget asks for the map after every epoch
    retained, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, retained, td


def loop_baseline(gold, outs, logits):
    """The reference code's way: Python loops over examples. Returns (log s/epoch, metrics s)."""
    history = {i: [] for i in range(len(gold))}
    gold_list = gold.tolist()
    t0 = time.perf_counter()
    for out in outs:
        for i, row in enumerate(out):
            if row.ndim == 0:
                p1 = float(row)
                history[i].append(p1 if gold_list[i] == 1 else 1.0 - p1)
            else:
                r = np.exp(row - row.max()) / np.exp(row - row.max()).sum() if logits else row
                history[i].append((float(r[gold_list[i]]), int(np.argmax(r))))
    log_time = (time.perf_counter() - t0) / len(outs)
    t0 = time.perf_counter()
    rows = []
    for i, trend in history.items():
        if isinstance(trend[0], tuple):
            probs = [p for p, _ in trend]
            correct = [pred == gold_list[i] for _, pred in trend]
        else:
            probs = trend
            correct = [p >= 0.5 for p in trend]
        confidence = np.mean(probs)
        variability = np.std(probs)
        learned = any(correct)
        forgotten = sum(1 for a, b in itertools.pairwise(correct) if a and not b)
        rows.append((confidence, variability, np.mean(correct), forgotten if learned else np.inf))
    return log_time, time.perf_counter() - t0


def bench(name, n, n_classes, epochs, repeats, logits=False):
    rng = np.random.default_rng(0)
    gold, outs = make_outputs(rng, n, n_classes, epochs, logits)
    first, last, metrics_t, straight = engine_times(gold, outs, logits, repeats)
    peak, retained, td = engine_memory(gold, outs, logits)
    p_gold_bytes = td.gold_probabilities().nbytes

    m = min(n, BASELINE_EXAMPLES)
    base = [loop_baseline(gold[:m], [o[:m] for o in outs], logits) for _ in range(2)]
    base_log, base_metrics = min(b[0] for b in base), min(b[1] for b in base)
    scale = n / m
    base_total = (base_log + base_metrics) * scale
    ours = last + metrics_t
    print(f"{name}")
    print(
        f"  log_epoch   epoch 1: {first * 1e3:8.2f} ms   epoch {epochs}: {last * 1e3:8.2f} ms"
        f"   ratio {last / first:.2f}  (one straight run: median {straight * 1e3:.2f} ms)"
    )
    print(
        f"  metrics() after {epochs} epochs: {metrics_t * 1e3:8.2f} ms   "
        f"log + metrics: {ours * 1e3:.2f} ms"
    )
    print(
        f"  memory      p(gold) array {p_gold_bytes / 2**20:8.1f} MiB   retained "
        f"{retained / 2**20:8.1f} MiB ({retained / p_gold_bytes:.2f}x)   peak "
        f"{peak / 2**20:8.1f} MiB ({peak / p_gold_bytes:.2f}x)"
    )
    print(
        f"  per-example loop: log {base_log * scale * 1e3:9.1f} ms + metrics "
        f"{base_metrics * scale * 1e3:9.1f} ms{f' (scaled from {m} examples)' if m < n else ''}"
        f"   speed-up {base_total / ours:7.0f}x"
    )
    return ours


def batch_epoch(td, ids, outputs, perm, batch):
    """Seconds per log_batch call over one shuffled epoch, and of its end_epoch."""
    starts = range(0, len(perm), batch)
    parts = [perm[s : s + batch] for s in starts]
    batches = [(ids[part], outputs[part]) for part in parts]
    t0 = time.perf_counter()
    for batch_ids, batch_out in batches:
        td.log_batch(batch_ids, batch_out)
    t1 = time.perf_counter()
    td.end_epoch()
    return (t1 - t0) / len(batches), time.perf_counter() - t1


def tiny_mlp_step(torch, batch, repeats):
    """Seconds of one training step (forward, backward, SGD) of a 20-32-2 MLP on one batch."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(20, 32), torch.nn.ReLU(), torch.nn.Linear(32, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(batch, 20), torch.randint(0, 2, (batch,))
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(200):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        times.append((time.perf_counter() - t0) / 200)
    return min(times)


def bench_batches(repeats, n=20_000, batch=32):
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 2, n)
    p1 = rng.random(n).astype(np.float32)
    str_ids = np.array([f"ex{i}" for i in range(n)])
    cases = [
        ("default ids 0..N-1, numpy", None, np.arange(n), p1),
        ("string ids, numpy", str_ids, str_ids, p1),
    ]
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        logits = torch.tensor(p1).requires_grad_()
        cases.append(
            (
                "default ids, torch ids + probabilities (requires_grad)",
                None,
                torch.arange(n),
                torch.sigmoid(logits),
            )
        )
        cases.append(
            (
                "default ids, torch bfloat16 probabilities",
                None,
                torch.arange(n),
                torch.sigmoid(logits).to(torch.bfloat16),
            )
        )
    print(f"log_batch: N = {n:,}, shuffled batches of {batch}, best of {repeats} epochs")
    per_call = {}
    for name, ids, batch_ids, outputs in cases:
        td = TrainingDynamics(gold, ids=ids)
        runs = [
            batch_epoch(td, batch_ids, outputs, rng.permutation(n), batch) for _ in range(repeats)
        ]
        call, end = min(r[0] for r in runs), min(r[1] for r in runs)
        per_call[name] = call
        print(f"  {name:58s} {call * 1e6:7.1f} us per log_batch   end_epoch {end * 1e3:6.2f} ms")
    default = per_call["default ids 0..N-1, numpy"]
    verdict = "meets" if default < 20e-6 else "MISSES"
    print(
        f"  default ids: {default * 1e6:.1f} us per batch of {batch} ({verdict} the 20 us target)"
    )
    if torch is not None:
        step = tiny_mlp_step(torch, batch, repeats)
        torch_call = per_call["default ids, torch ids + probabilities (requires_grad)"]
        print(
            f"  tiny MLP (20-32-2) training step: {step * 1e6:.1f} us; log_batch with torch "
            f"inputs adds {torch_call / step:.0%} to it"
        )


def bench_labels(repeats, n=43_410, n_labels=28, epochs=10):
    rng = np.random.default_rng(0)
    td = TrainingDynamics(rng.random((n, n_labels)) < 0.1)
    for _ in range(epochs):
        td.log_epoch(rng.random((n, n_labels)).astype(np.float32))
    print(
        f"multilabel accessors: N = {n:,}, {n_labels} labels, {epochs} epochs, one label, "
        f"best of {repeats}"
    )
    times = {}
    for name in ("gold_probabilities", "correct", "predictions"):
        accessor = getattr(td, name)
        times[name] = min(
            timeit_once(lambda accessor=accessor: accessor(3)) for _ in range(repeats)
        )
    for name, t in times.items():
        print(
            f"  {name + '(label)':28s} {t * 1e3:7.2f} ms   "
            f"{t / times['gold_probabilities']:5.2f}x gold_probabilities(label)"
        )


def timeit_once(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", choices=("epochs", "batches", "labels"))
    args = parser.parse_args()
    print(f"numpy {np.__version__}; {args.epochs} epochs; best of {args.repeats} repeats\n")
    if args.only in (None, "batches"):
        bench_batches(args.repeats)
        print()
    if args.only in (None, "labels"):
        bench_labels(args.repeats)
        print()
    if args.only not in (None, "epochs"):
        return
    bench("binary, N = 43,410 (probabilities)", 43_410, 2, args.epochs, args.repeats)
    total = bench("binary, N = 1,000,000 (probabilities)", 1_000_000, 2, args.epochs, args.repeats)
    bench(
        "multiclass, N = 43,410, 28 classes (probabilities)", 43_410, 28, args.epochs, args.repeats
    )
    bench(
        "multiclass, N = 43,410, 28 classes (logits, with AUM)",
        43_410,
        28,
        args.epochs,
        args.repeats,
        logits=True,
    )
    verdict = "meets" if total < 0.05 else "MISSES"
    print(
        f"\nN = 1,000,000 binary log + metrics: {total * 1e3:.1f} ms ({verdict} the 50 ms target)"
    )


if __name__ == "__main__":
    main()
