"""Step-time overhead of recording a data map in fast (GPU) training loops, issue 17.

Loops (full mode; ``--small`` shrinks every one to run on a CPU in under a minute). The plain
loops keep their data on the device and draw batches from a permutation made there, as fast GPU
loops do, so the ids reach the logger as device tensors:

1. EmbeddingBag classifier over hashed bigrams: 60,614 synthetic sentences (5-40 tokens, padded
   to 48 bigrams, 2^18 buckets x 64, 6 classes), Adam, batch 256 and 1024, 3 epochs;
2. MLP 64-256-10 on 2,000,000 x 64 (10 classes), SGD, batch 4096, 2 epochs;
3. Hugging Face ``Trainer``, BERT 4 layers x 256 (random init, bf16 on CUDA), 20,000 rows of 128
   tokens, batch 64, 1 epoch; and BERT-base size (12 x 768), 4,000 rows, batch 32 (issue 17
   measured 60k and 20k rows; fewer keep the whole run within 5 minutes on one GPU).

Variants: ``plain`` (no map), ``logger`` (``DataMapLogger(td).log_batch(ids, logits)`` +
``end_epoch``: device slots), ``host`` (``DataMapLogger(td, device_slots=False)``: its host
path, which is what ``DataMapLogger`` did for every run before issue 17: chunks of 65,536 rows
concatenated, copied to the host and converted by the engine), ``naive``
(``td.log_batch(ids.cpu(), logits.cpu())`` every step) and ``floor`` (a minimal reference:
``buf[ids] = p_gold`` on the device each step, one copy per epoch). Trainer loops: ``plain`` vs
``add_data_map``.

Each repeat runs every variant once, in rotating order (interleaved, so drift hits all alike);
timers are synchronised with the device; the overhead is the median over repeats of
variant / plain - 1. The logger's own host time per ``log_batch`` call and per ``end_epoch`` is
measured in a separate epoch, and on CUDA the host synchronisations inside ``log_batch`` are
counted with ``torch.cuda.set_sync_debug_mode``.

Usage: python benchmarks/bench_gpu.py [--small] [--repeats 5] [--loops embbag mlp trainer]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from dataclasses import dataclass

import bench_integrations  # benchmarks/ is on sys.path when this script runs
import torch

from datamap_widget import TrainingDynamics
from datamap_widget.integrations.torch import DataMapLogger

FULL = {
    "embbag": dict(n=60_614, buckets=1 << 18, dim=64, classes=6, epochs=3, batches=(256, 1024)),
    "mlp": dict(n=2_000_000, features=64, hidden=256, classes=10, epochs=2, batch=4096),
    "trainer": [
        dict(name="BERT 4x256", layers=4, hidden=256, rows=20_000, seq=128, batch=64),
        dict(name="BERT-base size", layers=12, hidden=768, rows=4_000, seq=128, batch=32),
    ],
}
SMALL = {
    "embbag": dict(n=4_000, buckets=1 << 12, dim=32, classes=6, epochs=1, batches=(256, 1024)),
    "mlp": dict(n=40_000, features=64, hidden=256, classes=10, epochs=1, batch=4096),
    "trainer": [dict(name="BERT 2x64", layers=2, hidden=64, rows=256, seq=16, batch=32)],
}
VARIANTS = ("plain", "logger", "host", "naive", "floor")


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def clock(device):
    """Wall-clock on a GPU (synchronised); on a CPU this process's CPU time, which a shared,
    oversubscribed machine disturbs far less than wall-clock time (torch runs one thread)."""
    return time.perf_counter() if device.type == "cuda" else time.process_time()


class Floor:
    """The minimal device-side recorder: p(gold) written by position, one copy per epoch."""

    def __init__(self, labels):
        self.labels = labels
        self.buf = torch.empty(labels.shape[0], device=labels.device)

    def log_batch(self, ids, logits, logits_=True):
        p = torch.softmax(logits.detach().float(), 1)
        self.buf[ids] = p.gather(1, self.labels[ids][:, None])[:, 0]

    def end_epoch(self):
        return self.buf.cpu()


class Naive:
    """What a loop without the logger does: every batch copied to the host for the engine."""

    def __init__(self, td):
        self.td = td

    def log_batch(self, ids, logits, logits_=True):
        self.td.log_batch(ids.cpu().numpy(), logits.detach().float().cpu().numpy(), logits=True)

    def end_epoch(self):
        self.td.end_epoch()


@dataclass
class Loop:
    """A plain training loop over device tensors, batches drawn from a device permutation."""

    name: str
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    x: torch.Tensor
    y: torch.Tensor
    batch: int
    epochs: int

    @property
    def n(self):
        return self.x.shape[0]

    def recorder(self, variant):
        labels = self.y.cpu().numpy()
        if variant == "logger":
            return DataMapLogger(TrainingDynamics(labels))
        if variant == "host":
            return DataMapLogger(TrainingDynamics(labels), device_slots=False)
        if variant == "naive":
            return Naive(TrainingDynamics(labels))
        if variant == "floor":
            return Floor(self.y)
        return None

    def run(self, recorder, epochs=None, timings=None):
        """Seconds for the loop (synchronised); ``timings`` collects the recorder's host time."""
        device = self.x.device
        sync(device)
        start = clock(device)
        for _ in range(epochs or self.epochs):
            perm = torch.randperm(self.n, device=device)
            for s in range(0, self.n, self.batch):
                ids = perm[s : s + self.batch]
                logits = self.model(self.x[ids])
                loss = torch.nn.functional.cross_entropy(logits, self.y[ids])
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                self.optimizer.step()
                if recorder is None:
                    continue
                if timings is None:
                    recorder.log_batch(ids, logits, True)
                else:
                    t = clock(device)
                    recorder.log_batch(ids, logits, True)
                    timings["log_batch"].append(clock(device) - t)
            if recorder is not None:
                t = clock(device)
                recorder.end_epoch()
                sync(device)
                if timings is not None:
                    timings["end_epoch"].append(clock(device) - t)
        sync(device)
        return clock(device) - start


def embbag_loops(cfg, device):
    g = torch.Generator().manual_seed(0)
    n, width = cfg["n"], 48
    lengths = torch.randint(5, 41, (n,), generator=g)
    tokens = torch.randint(1, 50_000, (n, width + 1), generator=g)
    bigrams = (tokens[:, :-1] * 1_000_003 + tokens[:, 1:]) % (cfg["buckets"] - 1) + 1
    bigrams[torch.arange(width)[None, :] >= (lengths - 1)[:, None]] = 0  # padding
    y = tokens[:, 0] % cfg["classes"]
    flip = torch.rand(n, generator=g) < 0.1
    y[flip] = torch.randint(0, cfg["classes"], (int(flip.sum()),), generator=g)
    loops = []
    for batch in cfg["batches"]:
        torch.manual_seed(0)
        model = torch.nn.Sequential(
            torch.nn.EmbeddingBag(cfg["buckets"], cfg["dim"], mode="mean", padding_idx=0),
            torch.nn.Linear(cfg["dim"], cfg["classes"]),
        ).to(device)
        loops.append(
            Loop(
                f"{n:,} sentences, hashed-bigram EmbeddingBag, batch {batch}, "
                f"{cfg['epochs']} epochs",
                model,
                torch.optim.Adam(model.parameters(), lr=1e-3),
                bigrams.to(device),
                y.to(device),
                batch,
                cfg["epochs"],
            )
        )
    return loops


def mlp_loop(cfg, device):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(cfg["n"], cfg["features"], generator=g)
    w = torch.randn(cfg["features"], cfg["classes"], generator=g)
    y = (x @ w + 2 * torch.randn(cfg["n"], cfg["classes"], generator=g)).argmax(1)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(cfg["features"], cfg["hidden"]),
        torch.nn.ReLU(),
        torch.nn.Linear(cfg["hidden"], cfg["classes"]),
    ).to(device)
    return Loop(
        f"{cfg['n']:,} x {cfg['classes']} classes, MLP {cfg['features']}-{cfg['hidden']}-"
        f"{cfg['classes']}, batch {cfg['batch']}, {cfg['epochs']} epochs",
        model,
        torch.optim.SGD(model.parameters(), lr=0.05),
        x.to(device),
        y.to(device),
        cfg["batch"],
        cfg["epochs"],
    )


def count_syncs(loop, device):
    """Host synchronisations inside DataMapLogger.log_batch over one epoch (CUDA only)."""
    if device.type != "cuda":
        return None
    logger = loop.recorder("logger")
    counted = []

    class Counting:
        def log_batch(self, ids, logits, _):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                torch.cuda.set_sync_debug_mode("warn")
                try:
                    logger.log_batch(ids, logits, logits=True)
                finally:
                    torch.cuda.set_sync_debug_mode("default")
            counted.append(len(caught))

        def end_epoch(self):
            logger.end_epoch()

    loop.run(Counting(), epochs=1)
    return counted[0], sum(counted[1:])  # step 1 is checked on the host once per run


def bench_loop(loop, repeats, device):
    times = {v: [] for v in VARIANTS}
    for r in range(repeats + 1):  # round 0 warms every variant up (allocator, kernels)
        order = VARIANTS[r % len(VARIANTS) :] + VARIANTS[: r % len(VARIANTS)]
        for variant in order:
            seconds = loop.run(loop.recorder(variant))
            if r:
                times[variant].append(seconds)
    timings = {"log_batch": [], "end_epoch": []}
    recorder = loop.recorder("logger")
    loop.run(recorder, epochs=1)  # step 1's host check out of the way
    loop.run(recorder, epochs=1, timings=timings)
    host_timings = {"log_batch": [], "end_epoch": []}
    host = loop.recorder("host")
    loop.run(host, epochs=1, timings=host_timings)
    return dict(
        name=loop.name,
        examples_per_s=loop.n * loop.epochs / statistics.median(times["plain"]),
        overhead={v: overhead(times[v], times["plain"]) for v in VARIANTS[1:]},
        log_batch_us=1e6 * statistics.fmean(timings["log_batch"]),  # chunk writes included
        end_epoch_ms=1e3 * statistics.median(timings["end_epoch"]),
        host_log_batch_ms=1e3 * sum(host_timings["log_batch"]),
        host_end_epoch_ms=1e3 * statistics.median(host_timings["end_epoch"]),
        epoch_ms=1e3 * statistics.median(times["plain"]) / loop.epochs,
        syncs=count_syncs(loop, device),
    )


def overhead(variant, plain):
    return 100 * statistics.median(v / p - 1 for v, p in zip(variant, plain))


def bench_trainer(cfg, repeats, device):
    cuda = device.type == "cuda"
    base, logged = bench_integrations.bench_trainer(
        repeats,
        cfg["rows"],
        cfg["seq"],
        cfg["batch"],
        hidden=cfg["hidden"],
        layers=cfg["layers"],
        intermediate=4 * cfg["hidden"],
        cuda=cuda,
    )
    clocked = 1 if cuda else 0  # wall-clock on a GPU, CPU time on a CPU (see clock)
    plain = [b[clocked] for b in base]
    name = (
        f"HF Trainer, {cfg['name']} ({'bf16' if cuda else 'fp32'}), {cfg['rows']:,} rows x "
        f"{cfg['seq']} tokens, batch {cfg['batch']}"
    )
    return dict(
        name=name,
        examples_per_s=cfg["rows"] / statistics.median(plain),
        overhead={"logger": overhead([w[clocked] for w in logged], plain)},
    )


def fmt(value, spec):
    return "" if value is None else format(value, spec)


def print_table(rows, device):
    clocked = "wall-clock, synchronised" if device.type == "cuda" else "CPU time of the process"
    print(f"\ndevice: {device_name(device)}; {clocked}; medians over interleaved repeats")
    print(
        "\n| loop | plain ex/s | logger (device slots) | host path (pre-issue-17 logger) | "
        "naive .cpu() per batch | floor (buf[ids] = p_gold) |"
    )
    print("|---|---|---|---|---|---|")
    for row in rows:
        o = row["overhead"]
        print(
            f"| {row['name']} | {row['examples_per_s']:,.0f} | {o['logger']:+.1f}% | "
            f"{fmt(o.get('host'), '+.1f')}{'%' if 'host' in o else ''} | "
            f"{fmt(o.get('naive'), '+.1f')}{'%' if 'naive' in o else ''} | "
            f"{fmt(o.get('floor'), '+.1f')}{'%' if 'floor' in o else ''} |"
        )
    detail = [r for r in rows if "log_batch_us" in r]
    if detail:
        print(
            "\n| loop | plain epoch ms | logger: host us per log_batch (mean) | logger: end_epoch ms | "
            "host path: log_batch ms per epoch (flushes included) | host path: end_epoch ms | "
            "syncs in log_batch (step 1 / later steps) |"
        )
        print("|---|---|---|---|---|---|---|")
        for r in detail:
            syncs = "n/a (CPU)" if r["syncs"] is None else f"{r['syncs'][0]} / {r['syncs'][1]}"
            print(
                f"| {r['name']} | {r['epoch_ms']:.0f} | {r['log_batch_us']:.0f} | "
                f"{r['end_epoch_ms']:.1f} | {r['host_log_batch_ms']:.0f} | "
                f"{r['host_end_epoch_ms']:.1f} | {syncs} |"
            )


def device_name(device):
    if device.type == "cuda":
        return f"{torch.cuda.get_device_name(device)} (torch {torch.__version__})"
    return f"CPU, {torch.get_num_threads()} thread(s) (torch {torch.__version__})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="CPU-sized loops (under a minute)")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--loops", nargs="+", default=["embbag", "mlp", "trainer"])
    parser.add_argument("--device", default=None, help="default: cuda when available")
    opts = parser.parse_args()
    device = torch.device(opts.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    if device.type == "cpu":
        torch.set_num_threads(1)  # steadier on a shared machine
    sizes = SMALL if opts.small else FULL
    repeats = opts.repeats or (2 if opts.small else 5)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    rows = []
    if "embbag" in opts.loops:
        for loop in embbag_loops(sizes["embbag"], device):
            rows.append(bench_loop(loop, repeats, device))
    if "mlp" in opts.loops:
        rows.append(bench_loop(mlp_loop(sizes["mlp"], device), repeats, device))
    if "trainer" in opts.loops:
        for cfg in sizes["trainer"]:
            rows.append(bench_trainer(cfg, max(2, min(repeats, 3)), device))
    print_table(rows, device)


if __name__ == "__main__":
    main()
