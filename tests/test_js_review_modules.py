"""The review groundwork's pure JS modules, run under Node (js/test/*.test.js) and checked
against the Python side: the text search on the widget's real text buffers (43,410 go_emotions
comments), and the page's decision messages read by ``ReviewLog.apply_messages``."""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess

import numpy as np
import pytest
from _scripts import run_node_json

from datamap_widget import DataMapWidget, TrainingDynamics
from datamap_widget.review import ReviewLog

ROOT = pathlib.Path(__file__).resolve().parents[1]
SRC = ROOT / "js" / "src"
NODE_TESTS = sorted((ROOT / "js" / "test").glob("*.test.js"))
GO_EMOTIONS = pathlib.Path(
    os.environ.get("DATAMAP_GO_EMOTIONS_DIR", "/work/shared/data/go_emotions")
)


def test_every_module_has_node_tests():
    modules = {"selection", "review_queue", "text_search", "row_window", "decision_outbox"}
    assert modules <= {p.name.removesuffix(".test.js") for p in NODE_TESTS}


@pytest.mark.parametrize("path", NODE_TESTS, ids=lambda p: p.name)
def test_node_test_file_passes(path):
    done = subprocess.run(
        ["node", "--test", "--test-reporter=tap", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    passed = int(re.search(r"^# pass (\d+)", output, re.MULTILINE).group(1))
    failed = int(re.search(r"^# fail (\d+)", output, re.MULTILINE).group(1))
    assert passed > 0 and failed == 0, output


SEARCH_SCRIPT = """
import { readFileSync } from "node:fs";
import { textIndexFromBuffers } from "%(src)s/text_search.js";
const dir = process.argv[1];
const read = (name) => readFileSync(dir + "/" + name);
const index = textIndexFromBuffers(read("texts.bin"), read("offsets.bin"));
const queries = JSON.parse(readFileSync(dir + "/queries.json", "utf8"));
console.log(JSON.stringify({ n: index.n, hits: queries.map((q) => Array.from(index.search(q))) }));
"""


def go_emotions_texts():
    if not (GO_EMOTIONS / "train.tsv").exists():
        pytest.fail(
            f"the go_emotions copy is missing at {GO_EMOTIONS} (set DATAMAP_GO_EMOTIONS_DIR)"
        )
    lines = (GO_EMOTIONS / "train.tsv").read_text(encoding="utf-8").split("\n")
    return [line.split("\t")[0] for line in lines if line]


def test_search_over_the_widgets_text_buffers_matches_python(tmp_path):
    texts = go_emotions_texts()
    assert len(texts) == 43410
    w = DataMapWidget(
        texts=texts, labels=np.zeros(len(texts), dtype=int), label_names=["no", "yes"]
    )
    (tmp_path / "texts.bin").write_bytes(w._texts)
    (tmp_path / "offsets.bin").write_bytes(w._text_offsets)
    queries = ["thank", "THANK YOU", "é", "😂", "[NAME]", "?!", "lol", "ı", "a", ".*", "zzzq"]
    (tmp_path / "queries.json").write_text(json.dumps(queries))
    result = run_node_json(SEARCH_SCRIPT % {"src": SRC.as_posix()}, str(tmp_path), timeout=300)
    assert result["n"] == len(texts)
    lowered = [t.lower() for t in texts]
    for query, hits in zip(queries, result["hits"]):
        expected = [i for i, t in enumerate(lowered) if query.lower() in t]
        assert hits == expected, query
    assert len(result["hits"][0]) > 2000 and result["hits"][-1] == []


MESSAGES_SCRIPT = """
import { decisionMessage, keyAction, ReviewQueue } from "%(src)s/review_queue.js";
// A reviewer steps through a queue with keys while the kernel is busy; every decision becomes a
// message that waits in the page until the kernel reads it.
const gold = JSON.parse(process.argv[1]);
const keys = JSON.parse(process.argv[2]);
const queue = new ReviewQueue(gold.map((_, i) => i));
const pending = [];
for (const key of keys) {
  const i = queue.current();
  const action = keyAction({ key }, { task: "multiclass", nClasses: 4, gold: gold[i] });
  if (action && action.type === "decide") {
    const now = 1700000000000 + pending.length;
    pending.push(decisionMessage({ index: i, verdict: action.verdict,
                                   newLabel: action.newLabel ?? null, now }));
    queue.next();
  } else if (action && action.type === "next") queue.next();
  else if (action && action.type === "previous") queue.previous();
}
console.log(JSON.stringify(pending));
"""


def test_page_decision_messages_reach_the_review_log_once():
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 4, 60)
    td = TrainingDynamics(gold, ids=[f"c{i}" for i in range(60)], label_names=["w", "x", "y", "z"])
    cycle = ["c", "2", "x", "j", "4", "k", "1", "3", "c"]
    keys = (cycle * 6)[:42]
    script = MESSAGES_SCRIPT % {"src": SRC.as_posix()}
    messages = run_node_json(script, json.dumps(gold.tolist()), json.dumps(keys), timeout=300)
    assert len(messages) >= 30
    log = ReviewLog(td)
    first = log.apply_messages(messages[:20])
    resent = log.apply_messages(messages)  # the page re-sends all after a reconnect
    assert first.errors == [] and resent.errors == []
    assert len(first.recorded) == 20 and len(resent.recorded) == len(messages) - 20
    assert resent.duplicates == 20 and len(log) == len(messages)
    df = log.to_dataframe()
    for message, (row_id, row) in zip(messages, df.iterrows()):
        assert row_id == f"c{message['index']}" and row["verdict"] == message["verdict"]
        gold_name = ["w", "x", "y", "z"][gold[message["index"]]]
        assert row["gold_label"] == gold_name
        if message["verdict"] == "wrong":
            assert row["new_label"] == ["w", "x", "y", "z"][message["new_label"]] != gold_name


OUTBOX_SCRIPT = """
import { readFileSync } from "node:fs";
import { DecisionOutbox } from "%(src)s/decision_outbox.js";
const { messages, split, n, labels } = JSON.parse(readFileSync(process.argv[1], "utf8"));
const box = new DecisionOutbox();
for (const m of messages.slice(split)) box.add(m);
const canonical = messages.slice(0, split);
const out = {};
for (const label of labels) out[String(label)] = Array.from(box.verdictCodes(canonical, n, label));
console.log(JSON.stringify(out));
"""


@pytest.mark.parametrize("task", ["multiclass", "multilabel"])
def test_page_verdict_codes_match_the_review_log(tmp_path, task):
    rng = np.random.default_rng(3)
    n = 80
    if task == "multilabel":
        td = TrainingDynamics(rng.integers(0, 2, (n, 3)), label_names=["a", "b", "c"])
    else:
        td = TrainingDynamics(rng.integers(0, 4, n), label_names=list("wxyz"))
    log = ReviewLog(td)
    for k in range(200):
        i = int(rng.integers(0, n))
        verdict = ["correct", "wrong", "remove"][int(rng.integers(0, 3))]
        label = int(rng.integers(0, 3)) if task == "multilabel" else None
        if task == "multilabel":
            log.record(i, verdict, label=label if verdict != "remove" or k % 2 else None)
        elif verdict == "wrong":
            new = (int(td.gold()[i]) + 1 + int(rng.integers(0, 3))) % 4
            log.record(i, verdict, new)
        else:
            log.record(i, verdict)
    labels = [None, 0, 1, 2] if task == "multilabel" else [None]
    payload = {"messages": log.to_messages(), "split": 120, "n": n, "labels": labels}
    (tmp_path / "in.json").write_text(json.dumps(payload))
    page = run_node_json(
        OUTBOX_SCRIPT % {"src": SRC.as_posix()}, str(tmp_path / "in.json"), timeout=300
    )
    for label in labels:
        assert page[json.dumps(label)] == log.verdict_codes(label=label).tolist(), label
