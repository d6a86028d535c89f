"""``DataMapWidget.save_html``: one self-contained file that the page reads as a live page reads
the kernel. The file is decoded here by the page's own store under Node (the browser tests in
tests/browser/test_standalone_html.py open it in Chromium); its HTML structure is checked with
Python's parser: one executable script (allowed by hash), no resource loaded, texts and names
only as data."""

from __future__ import annotations

import base64
import hashlib
import html.parser
import json
import pathlib
import re

import numpy as np
import pytest
from _scripts import run_node_json

from datamap_widget import DataMapWidget

ROOT = pathlib.Path(__file__).resolve().parents[1]
SRC = ROOT / "js" / "src"
BUNDLE = ROOT / "datamap_widget" / "static" / "standalone.js"
PAYLOAD = "</script><img src=x onerror=alert(1)><!--"

NODE_SCRIPT = """
import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { DataStore } from "%(src)s/store.js";
import { StaticManager } from "%(src)s/static_models.js";
import { StaticSource } from "%(src)s/static_source.js";
const page = readFileSync(process.argv[1], "utf8");
const json = /<script type="application\\/json" id="dmw-manifest">(.*?)<\\/script>/s.exec(page)[1];
const manifest = JSON.parse(json);
const blobs = [];
for (const m of page.matchAll(/<script type="application\\/octet-stream" data-dmw-blob="(\\d+)">(.*?)<\\/script>/gs)) {
  const raw = Buffer.from(m[2], "base64");
  const meta = manifest.blobs[Number(m[1])];
  const data = meta.compression === "deflate" ? inflateSync(raw) : raw;
  if (data.length !== meta.bytes) throw new Error(`blob ${m[1]}: ${data.length} bytes, not ${meta.bytes}`);
  blobs[Number(m[1])] = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
const manager = new StaticManager(manifest.models, blobs, () => null);
const source = new StaticSource(manager.model(manifest.widget), manager);
const store = new DataStore(source);
source.deliver(manifest.messages, blobs);
const n = store.n;
const all = (f) => Array.from({ length: n }, (_, i) => f(i));
const rows = store.history.rows;
console.log(JSON.stringify({
  n, connected: store.connected, renderer: store.renderer, meta: store.meta, label: store.label,
  complete: store.epochs.complete, logged: store.loggedEpochs,
  pGold: rows.map((r) => Array.from(r.pGold)), pred: rows.map((r) => Array.from(r.pred)),
  correct: rows.map((r) => Array.from(r.correct)),
  gold: Array.from(store.history.gold), goldSets: Array.from(store.goldSets),
  texts: store.hasTexts ? all((i) => store.textAt(i)) : null, ids: all((i) => store.idAt(i)),
  images: store.hasImages ? all((i) => Array.from(store.imageAt(i).pixels)) : null,
  scores: store.scores ? Array.from(store.scores) : null, reviews: store.reviews,
  selectedIndex: store.selectedIndex, selection: Array.from(store.selection),
  parts: Object.keys(manifest.models).length,
}));
"""


def read_saved(path: pathlib.Path) -> dict:
    """What the page's store reads from the saved file (run under Node)."""
    return run_node_json(NODE_SCRIPT % {"src": SRC.as_posix()}, str(path))


class Elements(html.parser.HTMLParser):
    """Every start tag with its attributes, and the text of each <script> element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = (dict(attrs), [])

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script[1].append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script is not None:
            self.scripts.append((self._in_script[0], "".join(self._in_script[1])))
            self._in_script = None


def parse(path: pathlib.Path) -> Elements:
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def multiclass_widget(n=120, epochs=4, seed=0, texts=None, names=None):
    rng = np.random.default_rng(seed)
    texts = texts or [f"comment {i} é ☕ {'x' * (i % 5)}" for i in range(n)]
    w = DataMapWidget(
        texts=texts,
        labels=rng.integers(0, 3, n),
        ids=[f"ex-{i:04d}" for i in range(n)],
        label_names=names or ["neg", "neu", "pos"],
    )
    for _ in range(epochs):
        w.log_epoch(rng.dirichlet(np.ones(3), size=n))
    return w


def test_the_saved_file_holds_the_history_texts_ids_names_and_decisions(tmp_path):
    w = multiclass_widget()
    w.review("ex-0007", "wrong", "pos")
    w.review("ex-0011", "remove")
    w.set_state({"_selected_index": [5]})
    path = w.save_html(tmp_path / "map.html")
    assert path == tmp_path / "map.html"
    r = read_saved(path)
    td = w.dynamics
    assert r["connected"] is False  # the page knows no kernel listens
    assert r["n"] == 120 and r["renderer"] == "gl" and r["meta"] == w._meta
    assert r["complete"] == 4 and r["logged"] == 4
    assert np.array_equal(np.float32(r["pGold"]), td.gold_probabilities())
    assert r["pred"] == td.predictions().tolist()
    assert r["correct"] == td.correct().astype(int).tolist()
    assert r["gold"] == td.gold().tolist()
    texts = w._texts_list
    assert r["texts"] == texts and r["ids"] == [f"ex-{i:04d}" for i in range(120)]
    sent_score = np.frombuffer(bytes(w.get_state()["_epoch"]["score"]["buffer"]), "<f4")
    assert np.array_equal(np.float32(r["scores"]), sent_score)
    # decisions so far: "reviewed" colour and list codes
    assert r["reviews"] == json.loads(w._reviews)
    assert [(m["index"], m["verdict"]) for m in r["reviews"]] == [(7, "wrong"), (11, "remove")]
    assert r["selectedIndex"] == 5 and r["images"] is None
    assert r["parts"] > 10  # the figures' bqplot models travel with it


def test_a_multilabel_file_holds_the_shown_label_and_the_images(tmp_path):
    rng = np.random.default_rng(4)
    n = 30
    labels = (rng.random((n, 3)) < 0.4).astype(int)
    images = rng.integers(0, 256, (n, 6, 5), dtype=np.uint8)
    w = DataMapWidget(images=images, labels=labels, label_names=["a", "b", "c"], label="b")
    for _ in range(3):
        w.log_epoch(rng.random((n, 3)))
    r = read_saved(w.save_html(tmp_path / "ml.html"))
    assert r["label"] == "b" and r["meta"]["shown_label"] == "b"
    assert np.array_equal(np.float32(r["pGold"]), w.dynamics.gold_probabilities(label="b"))
    assert r["goldSets"] == labels.reshape(-1).tolist()
    assert r["images"] == images.reshape(n, -1).tolist() and r["texts"] is None


def test_one_epoch_saves_without_history_answers(tmp_path):
    w = multiclass_widget(n=20, epochs=1)
    r = read_saved(w.save_html(tmp_path / "one.html"))
    assert r["complete"] == 1
    assert np.array_equal(np.float32(r["pGold"]), w.dynamics.gold_probabilities())


def test_the_file_runs_one_script_allowed_by_hash_and_loads_nothing(tmp_path):
    path = multiclass_widget(n=40, epochs=2).save_html(tmp_path / "map.html")
    doc = parse(path)
    executable = [text for attrs, text in doc.scripts if "type" not in attrs]
    assert executable == [BUNDLE.read_text(encoding="utf-8")]
    (policy,) = [
        a["content"]
        for t, a in doc.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    digest = base64.b64encode(hashlib.sha256(executable[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy and "connect-src" not in policy  # so: no connection
    loading = [(t, a) for t, a in doc.tags if {"src", "href", "srcset", "action"} & set(a)]
    assert loading == [] and not any(
        t in {"link", "iframe", "object", "embed"} for t, _ in doc.tags
    )
    data_types = {a.get("type") for a, _ in doc.scripts if "type" in a}
    assert data_types == {"application/json", "application/octet-stream"}


def test_texts_names_and_title_stay_data(tmp_path):
    n = 30
    texts = [PAYLOAD] + [f"plain {i}" for i in range(1, n)]
    names = [PAYLOAD, "<b>b</b>", "c & d"]
    w = multiclass_widget(n=n, epochs=2, texts=texts, names=names)
    path = w.save_html(tmp_path / "xss.html", title=PAYLOAD)
    doc = parse(path)
    tags = [t for t, _ in doc.tags]
    assert "img" not in tags and "b" not in tags
    assert (
        tags.count("script") == len(doc.scripts) == 2 + len(json.loads(doc.scripts[0][1])["blobs"])
    )
    manifest = json.loads(doc.scripts[0][1])
    assert manifest["models"][manifest["widget"]]["state"]["_meta"]["class_names"] == names
    r = read_saved(path)
    assert r["texts"][0] == PAYLOAD and r["meta"]["class_names"] == names
    title = re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8"), re.S).group(1)
    assert "<" not in title and html.parser.unescape(title) == PAYLOAD


def test_size_stays_near_the_raw_data(tmp_path):
    """Each epoch adds about its raw 6 bytes per example (p_gold float32, pred, correct): random
    probabilities barely deflate, base64 adds a third; texts are deflated too."""
    n = 5000
    short = multiclass_widget(n=n, epochs=5, seed=3).save_html(tmp_path / "5.html")
    long = multiclass_widget(n=n, epochs=10, seed=3).save_html(tmp_path / "10.html")
    per_example_epoch = (long.stat().st_size - short.stat().st_size) / (n * 5)
    assert 3.0 < per_example_epoch < 6.5, per_example_epoch
    manifest = json.loads(parse(short).scripts[0][1])
    widget = manifest["models"][manifest["widget"]]
    (texts,) = [b["blob"] for b in widget["buffers"] if b["path"] == ["_texts"]]
    assert manifest["blobs"][texts]["compression"] == "deflate"
    encoded = [
        text for attrs, text in parse(short).scripts if attrs.get("data-dmw-blob") == str(texts)
    ]
    assert len(encoded[0]) < manifest["blobs"][texts]["bytes"]  # smaller than the raw UTF-8


def test_bad_calls_say_what_is_wrong_and_write_nothing(tmp_path):
    w = DataMapWidget(texts=["a", "b"], labels=[0, 1])
    with pytest.raises(ValueError, match="has no logged epoch; call log_epoch"):
        w.save_html(tmp_path / "empty.html")
    w.log_epoch(np.array([0.3, 0.8]))
    with pytest.raises(FileNotFoundError, match="does not exist; create it first"):
        w.save_html(tmp_path / "missing" / "map.html")
    assert list(tmp_path.iterdir()) == []


def test_saving_leaves_the_widget_as_it_was(tmp_path):
    w = multiclass_widget(n=50, epochs=2)
    before = {k: v for k, v in w.get_state().items() if not isinstance(v, (dict, memoryview))}
    w.save_html(tmp_path / "a.html")
    after = {k: v for k, v in w.get_state().items() if not isinstance(v, (dict, memoryview))}
    assert before == after and w.renderer == "svg"
    assert list(tmp_path.iterdir()) == [tmp_path / "a.html"]  # no partial file left behind


def test_logging_does_not_wait_while_the_file_is_compressed(tmp_path, monkeypatch):
    """Only the snapshot holds the widget's lock (an epoch logged meanwhile takes it at once)."""
    import threading
    import zlib

    from datamap_widget.widget import _html_export

    w = multiclass_widget(n=60, epochs=2)
    free = []
    original = zlib.compress

    def take_and_release():
        if w._lock.acquire(timeout=2):
            w._lock.release()
            free.append(True)
        else:
            free.append(False)

    def compress(data, level):
        probe = threading.Thread(target=take_and_release)  # as the training thread would
        probe.start()
        probe.join()
        return original(data, level)

    monkeypatch.setattr(_html_export.zlib, "compress", compress)
    w.save_html(tmp_path / "m.html")
    assert free and all(free)
