"""Overhead that data-map logging adds to a training epoch (target: under 3%).

1. Plain PyTorch loop: MLP 64-64-C on 20k x 64 examples, batch size 32, one CPU thread, without
   logging, with ``DataMapLogger(td).log_batch(ids, logits, logits=True)`` + ``end_epoch()``, and
   with the engine's own ``td.log_batch`` called on every batch.
   The CPU time spent inside the logging calls is printed as well: on a shared machine it is a
   steadier figure than the difference of two noisy epoch times.
2. Hugging Face Trainer: one epoch of a small BERT with and without ``add_data_map``.

Runs are interleaved (without, with, without, ...) and the median overhead is printed, so that
drift hits both sides alike. Times are CPU time of this process (``time.process_time``; torch
runs one thread): on a shared, oversubscribed machine wall-clock time mostly measures the
neighbours. Wall-clock medians are printed too. Usage: python benchmarks/bench_integrations.py
[--repeats 5] [--skip-trainer]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import tempfile
import time
import warnings

import numpy as np
import torch

from datamap_widget import TrainingDynamics
from datamap_widget.integrations.torch import DataMapLogger, IndexedDataset


def clock():
    return time.process_time(), time.perf_counter()


def since(start):
    cpu, wall = clock()
    return cpu - start[0], wall - start[1]


def torch_epoch(model, opt, loader, sink, spent=None):
    """One epoch; ``spent`` (a list) receives the CPU time of ``end_epoch``."""
    start = clock()
    for ids, (xb, yb) in loader:
        logits = model(xb)
        loss = torch.nn.functional.cross_entropy(logits, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if sink is not None:
            sink.log_batch(ids, logits, logits=True)
    if sink is not None:
        t = time.process_time()
        sink.end_epoch()
        if spent is not None:
            spent.append(time.process_time() - t)
    return since(start)


def log_batch_cost(logger, model, loader, repeats):
    """CPU time of one epoch's ``log_batch`` calls alone, on the loop's own ids and logits."""
    batches = [(ids, model(xb)) for ids, (xb, _) in loader]
    times = []
    for _ in range(repeats):
        start = time.process_time()
        for ids, logits in batches:
            logger.log_batch(ids, logits, logits=True)
        times.append(time.process_time() - start)
        logger.discard_pending()
    return statistics.median(times)


def bench_torch(repeats, n=20_000, d=64, hidden=64, classes=4, batch=32):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, d, generator=g)
    y = torch.randint(0, classes, (n,), generator=g)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(d, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, classes)
    )
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    loader = torch.utils.data.DataLoader(
        IndexedDataset(torch.utils.data.TensorDataset(x, y)), batch_size=batch, shuffle=True
    )
    td, direct = TrainingDynamics(y.numpy()), TrainingDynamics(y.numpy())
    logger = DataMapLogger(td)
    torch_epoch(model, opt, loader, None)  # warm-up
    base, logged, spent = [], [], []
    for _ in range(repeats):  # phase 1: without vs DataMapLogger
        base.append(torch_epoch(model, opt, loader, None))
        logged.append(torch_epoch(model, opt, loader, logger, spent))
    base2, engine = [], []
    for _ in range(repeats):  # phase 2 (apart: its memory churn would bias phase 1)
        base2.append(torch_epoch(model, opt, loader, None))
        engine.append(torch_epoch(model, opt, loader, direct))
    assert td.n_epochs == direct.n_epochs == repeats
    per_epoch = log_batch_cost(logger, model, loader, repeats) + statistics.median(spent)
    return base, logged, base2, engine, 100 * per_epoch / statistics.median(b[0] for b in base)


def bench_trainer(
    repeats, n=2_000, seq=32, batch=32, *, hidden=64, layers=2, intermediate=128, cuda=False
):
    """One epoch of a randomly initialised BERT under the HF Trainer without and with
    ``add_data_map``, interleaved (order alternating); ``cuda``: on the GPU in bf16, with the
    clock read after a synchronisation. Returns (base, logged) lists of (CPU s, wall s)."""
    from datasets import Dataset
    from transformers import (
        BertConfig,
        BertForSequenceClassification,
        Trainer,
        TrainingArguments,
        default_data_collator,
    )
    from transformers.utils import logging as hf_logging

    from datamap_widget.integrations.transformers import add_data_map

    hf_logging.set_verbosity_error()
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, n)
    ds = Dataset.from_dict(
        {
            "input_ids": rng.integers(1, 1000, (n, seq)).tolist(),
            "attention_mask": np.ones((n, seq), int).tolist(),
            "label": labels.tolist(),
        }
    )
    cfg = BertConfig(
        vocab_size=1000,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=max(2, hidden // 64),
        intermediate_size=intermediate,
        num_labels=3,
    )
    torch.manual_seed(0)
    model = BertForSequenceClassification(cfg)

    def one_epoch(with_map, tmp):
        args = TrainingArguments(
            output_dir=tmp,
            num_train_epochs=1,
            report_to=[],
            use_cpu=not cuda,
            bf16=cuda,
            per_device_train_batch_size=batch,
            save_strategy="no",
            logging_strategy="no",
            disable_tqdm=True,
        )
        trainer = Trainer(
            model=model, args=args, train_dataset=ds, data_collator=default_data_collator
        )
        if with_map:
            td = TrainingDynamics(labels)
            add_data_map(trainer, td)
        if cuda:
            torch.cuda.synchronize()
        start = clock()
        with contextlib.redirect_stdout(io.StringIO()):  # the Trainer prints its metrics
            trainer.train()
        if cuda:
            torch.cuda.synchronize()
        elapsed = since(start)
        if with_map:
            assert td.n_epochs == 1
        return elapsed

    base, logged = [], []
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one_epoch(False, tmp)  # warm-up
        for r in range(repeats):
            for with_map in (r % 2 == 1, r % 2 == 0):
                (logged if with_map else base).append(one_epoch(with_map, tmp))
    return base, logged


def report(name, base, logged):
    cpu = [100 * (w[0] / b[0] - 1) for b, w in zip(base, logged)]
    wall = [100 * (w[1] / b[1] - 1) for b, w in zip(base, logged)]
    print(
        f"{name}:\n  CPU epoch {statistics.median(b[0] for b in base) * 1e3:.1f} ms without "
        f"logging, {statistics.median(w[0] for w in logged) * 1e3:.1f} ms with; overhead median "
        f"{statistics.median(cpu):+.2f}% (runs: {', '.join(f'{o:+.1f}' for o in cpu)})\n"
        f"  wall-clock overhead median {statistics.median(wall):+.2f}%"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--skip-trainer", action="store_true")
    opts = parser.parse_args()
    torch.set_num_threads(1)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    base, logged, base2, engine, inside = bench_torch(opts.repeats)
    report("PyTorch loop + DataMapLogger (MLP, 20k x 64, batch 32, 1 thread)", base, logged)
    print(
        f"  CPU time of the logging calls themselves (log_batch x batches + end_epoch, "
        f"medians): {inside:.2f}% of an epoch without logging"
    )
    report("PyTorch loop + td.log_batch per batch (same)", base2, engine)
    if not opts.skip_trainer:
        base, logged = bench_trainer(opts.repeats)
        report("HF Trainer (BERT 2x64, 2k x 32 tokens, batch 32, 1 thread)", base, logged)


if __name__ == "__main__":
    main()
