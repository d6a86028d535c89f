"""Benchmark of ``w.save_html``: file size, save time and first paint of the saved map.

Runs:
- 43,410 x 10: go_emotions train texts (the first gold label of each, 28 classes), a real
  training run: TF-IDF + SGDClassifier(log_loss), one ``partial_fit`` pass per epoch, the
  epoch's ``predict_proba`` logged;
- 550,000 x 10: the same texts and per-epoch probabilities repeated to 550,000 rows (12.7 times;
  a repeat lies far outside deflate's 32 KB window, so it is not compressed away).

For each: the file size against the raw data in the same run (6 bytes per example per epoch:
p_gold float32 + pred uint8 + correct uint8; plus the UTF-8 texts), the history's share in
bytes per example per epoch, the save time, and the first paint in headless Chromium (Debian's,
software rendering, 2 shared cores) from ``file://`` with the network blocked: navigation start
to the data decoded (``performance.mark('dmw:decoded')``) and to the newest epoch painted
(median of ``--loads`` loads, each in a fresh tab).

    python benchmarks/bench_html.py [--sizes 43410 550000] [--epochs 10] [--loads 3] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from harness import Browser  # noqa: E402

from datamap_widget import DataMapWidget  # noqa: E402

GO_EMOTIONS = pathlib.Path(
    os.environ.get("DATAMAP_GO_EMOTIONS_DIR", "/work/shared/data/go_emotions")
)
HANDLE = "document.querySelector('.datamap-widget') && document.querySelector('.datamap-widget').__datamapWidget"


def go_emotions():
    lines = (GO_EMOTIONS / "train.tsv").read_text(encoding="utf-8").split("\n")
    rows = [line.split("\t") for line in lines if line]
    names = (GO_EMOTIONS / "labels.txt").read_text(encoding="utf-8").split()
    return [r[0] for r in rows], np.array([int(r[1].split(",")[0]) for r in rows]), names


def train(texts, gold, n_classes, epochs):
    """Per-epoch predict_proba of a TF-IDF + SGD model, one pass per epoch."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier

    x = TfidfVectorizer(min_df=2, sublinear_tf=True).fit_transform(texts)
    model = SGDClassifier(loss="log_loss", alpha=1e-5, random_state=0)
    order = np.random.default_rng(0)
    probs = []
    for _ in range(epochs):
        perm = order.permutation(len(gold))
        model.partial_fit(x[perm], gold[perm], classes=np.arange(n_classes))
        probs.append(model.predict_proba(x).astype(np.float32))
    return probs


def build(n, texts, gold, names, probs):
    reps = -(-n // len(texts))
    widget = DataMapWidget(
        texts=(texts * reps)[:n], labels=np.tile(gold, reps)[:n], label_names=names
    )
    for p in probs:
        widget.log_epoch(np.tile(p, (reps, 1))[:n])
    return widget


def first_paint(browser, path, loads):
    """Median (decoded, painted) ms after navigation start over `loads` fresh tabs."""
    decoded, painted = [], []
    for _ in range(loads):
        page = browser.context.new_page()
        requests = []
        page.on("request", lambda r, requests=requests: requests.append(r.url))
        page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        page.goto(path.resolve().as_uri(), timeout=300_000)
        page.wait_for_function(
            f"() => {{ const h = {HANDLE}; return h && h.nEpochs() > 0 && h.paintedAt(h.nEpochs()) !== null; }}",
            timeout=300_000,
            polling=20,
        )
        d, p = page.evaluate(
            f"() => {{ const h = {HANDLE}; const mark = performance.getEntriesByName('dmw:decoded')[0];"
            " return [mark.startTime, h.paintedAt(h.nEpochs())]; }"
        )
        assert requests == [path.resolve().as_uri()], requests
        decoded.append(d)
        painted.append(p)
        page.close()
    return statistics.median(decoded), statistics.median(painted)


def bench(n, epochs, loads, out, data, browser):
    texts, gold, names, probs = data
    widget = build(n, texts, gold, names, probs[:epochs])
    path = out / f"map_{n}x{epochs}.html"
    t0 = time.perf_counter()
    widget.save_html(path)
    save_s = time.perf_counter() - t0
    size = path.stat().st_size
    text_bytes = len(widget._texts)
    raw = 6 * n * epochs + text_bytes
    # the history's share: the same map with one epoch less, the difference per example
    fewer = build(n, texts, gold, names, probs[: epochs - 1])
    fewer_path = out / f"map_{n}x{epochs - 1}.html"
    fewer.save_html(fewer_path)
    per_epoch = (size - fewer_path.stat().st_size) / n
    decoded_ms, painted_ms = first_paint(browser, path, loads)
    widget.close()
    fewer.close()
    return {
        "n": n,
        "epochs": epochs,
        "file_MB": size / 1e6,
        "raw_MB": raw / 1e6,
        "file/raw": size / raw,
        "texts_MB": text_bytes / 1e6,
        "bytes/example/epoch": per_epoch,
        "save_s": save_s,
        "decoded_ms": decoded_ms,
        "painted_ms": painted_ms,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[43_410, 550_000])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--loads", type=int, default=3)
    parser.add_argument("--out", type=pathlib.Path, default=None)
    args = parser.parse_args()
    out = args.out or pathlib.Path(tempfile.mkdtemp(prefix="dmw-html-"))
    out.mkdir(parents=True, exist_ok=True)
    texts, gold, names = go_emotions()
    t0 = time.perf_counter()
    probs = train(texts, gold, len(names), args.epochs)
    print(
        f"trained {args.epochs} epochs on {len(texts):,} texts in {time.perf_counter() - t0:.0f} s"
    )
    browser = Browser().start()
    rows = []
    try:
        for n in args.sizes:
            rows.append(
                bench(n, args.epochs, args.loads, out, (texts, gold, names, probs), browser)
            )
            print(json.dumps(rows[-1]))
    finally:
        browser.stop()
    columns = list(rows[0])
    print("\n| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        cells = [f"{v:,}" if isinstance(v, int) else f"{v:.2f}" for v in row.values()]
        print("| " + " | ".join(cells) + " |")
    print(f"\nfiles in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
