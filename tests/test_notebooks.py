"""The tutorial notebooks run headless from top to bottom and show what their prose promises.

Each notebook is executed with nbclient exactly as saved, except for two cells the test adds: one
right after the cell tagged `parameters` (the way papermill injects parameters) and one at the end
that prints facts about the kernel's objects as JSON. The assertions recompute the data map from
the raw recorded probabilities instead of trusting the notebook's own summaries.
"""

import json
import os
import re
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from _go_emotions import go_emotions_dir
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
GO_EMOTIONS_ENV = "DATAMAP_GO_EMOTIONS_DIR"
FACTS = "DATAMAP_TEST_FACTS "
REGION_CELLS = ("td.easy()", "td.ambiguous()", "td.hard()")


def run_notebook(name, overrides, probe, monkeypatch, timeout=600):
    """Execute notebooks/<name> in a fresh python3 kernel; returns (executed notebook, probe facts)."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    params = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, f"{name} needs exactly one cell tagged 'parameters'"
    nb.cells.insert(params[0] + 1, nbformat.v4.new_code_cell(overrides))
    nb.cells.append(
        nbformat.v4.new_code_cell(f"import json\nprint({FACTS!r} + json.dumps({probe}))")
    )
    # The kernel imports this checkout's package, whatever else is installed.
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    )
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    lines = [line for line in printed.splitlines() if line.startswith(FACTS)]
    assert len(lines) == 1, f"the probe cell printed {printed!r}"
    return nb, json.loads(lines[0][len(FACTS) :])


def cell_index(nb, fragment):
    hits = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and fragment in c.source]
    assert hits, f"no code cell contains {fragment!r}"
    return hits[0]


def stream_text(cell):
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def assert_widget_shown_before_training(nb, training_fragment):
    shown = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        and any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in c.outputs)
    ]
    assert shown, "no cell displayed a widget"
    assert shown[0] < cell_index(nb, training_fragment), (
        "the map must be on screen before training starts"
    )


def assert_region_tables_have_rows(nb):
    for fragment in REGION_CELLS:
        cell = nb.cells[cell_index(nb, fragment)]
        html = "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)
        assert html.count("<tr>") >= 2, (
            f"the {fragment} table is empty: {cell.outputs}"
        )  # header + rows


def reference_map(gold_probabilities, variability_threshold, confidence_threshold):
    """Dataset Cartography by hand: per example mean and population std of p(gold) over epochs."""
    p = np.asarray(gold_probabilities, dtype=np.float64)
    confidence, variability = p.mean(axis=0), p.std(axis=0)
    ambiguous = variability >= variability_threshold
    hard = ~ambiguous & (confidence < confidence_threshold)
    return confidence, ambiguous, hard


@pytest.mark.parametrize("name", ["quickstart.ipynb", "go_emotions_gratitude.ipynb"])
def test_notebooks_are_saved_clean(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), (
        "save notebooks without outputs"
    )
    assert sum("parameters" in c.metadata.get("tags", []) for c in code) == 1
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.slow
def test_quickstart_flipped_labels_gather_in_hard_to_learn(monkeypatch):
    probe = (
        "{'n_epochs': w.dynamics.n_epochs, 'same_dynamics': w.dynamics is td,"
        " 'gold_probabilities': td.gold_probabilities().tolist(), 'ids': td.ids.tolist(),"
        " 'flipped': digits.flipped.tolist(), 'hard_ids': td.hard().index.tolist(),"
        " 'variability_threshold': td.variability_threshold,"
        " 'confidence_threshold': td.confidence_threshold,"
        " 'cf_gold_probabilities': td_cf.gold_probabilities().tolist(),"
        " 'cf_in_sample_epochs': td_cf.in_sample.n_epochs,"
        " 'cf_flagged': issues.index[issues['flagged']].tolist()}"
    )
    nb, facts = run_notebook("quickstart.ipynb", "PAUSE_SECONDS = 0", probe, monkeypatch)

    assert facts["n_epochs"] == 10 and facts["same_dynamics"]
    assert np.shape(facts["gold_probabilities"]) == (10, 1797)
    assert_widget_shown_before_training(nb, "partial_fit")
    assert_region_tables_have_rows(nb)

    _, _, hard = reference_map(
        facts["gold_probabilities"], facts["variability_threshold"], facts["confidence_threshold"]
    )
    ids = np.asarray(facts["ids"])
    assert sorted(facts["hard_ids"]) == sorted(ids[hard].tolist())
    flipped = np.asarray(facts["flipped"])
    assert flipped.sum() == 180
    precision = (hard & flipped).sum() / hard.sum()
    recall = (hard & flipped).sum() / flipped.sum()
    assert recall >= 0.6, f"only {recall:.0%} of the flipped labels are hard-to-learn"
    assert precision >= 0.5, f"only {precision:.0%} of the hard-to-learn labels were flipped"

    printed = stream_text(nb.cells[cell_index(nb, "precision =")])
    shown = dict(re.findall(r"^(precision|recall): ([0-9.]+)$", printed, flags=re.M))
    assert float(shown["precision"]) == pytest.approx(precision, abs=5e-4)
    assert float(shown["recall"]) == pytest.approx(recall, abs=5e-4)

    # Both maps graded: the cross-fitted map's hard-to-learn region and label_issues() flags.
    assert facts["cf_in_sample_epochs"] == 10
    _, _, cf_hard = reference_map(
        facts["cf_gold_probabilities"],
        facts["variability_threshold"],
        facts["confidence_threshold"],
    )
    cf_flagged = np.isin(ids, facts["cf_flagged"])
    graded = dict(
        (name.strip(), (int(n), float(p), float(r)))
        for name, n, p, r in re.findall(
            r"^(.+?)\s+(\d+) examples\s+precision ([0-9.]+)\s+recall ([0-9.]+)$",
            stream_text(nb.cells[cell_index(nb, "def grade(")]),
            flags=re.M,
        )
    )
    for name, mask in (
        ("in-sample hard-to-learn", hard),
        ("cross-fitted hard-to-learn", cf_hard),
        ("cross-fitted flagged", cf_flagged),
    ):
        n, p, r = graded[name]
        assert n == mask.sum()
        assert p == pytest.approx((mask & flipped).sum() / mask.sum(), abs=5e-4)
        assert r == pytest.approx((mask & flipped).sum() / flipped.sum(), abs=5e-4)
    assert (cf_flagged & flipped).sum() / flipped.sum() >= 0.8  # held out, flips cannot hide
    assert (cf_flagged & flipped).sum() / cf_flagged.sum() >= 0.6


@pytest.mark.slow
def test_go_emotions_tutorial_runs(monkeypatch):
    folder = go_emotions_dir()  # a local copy, else the hub, else a skip naming the variable
    if folder is None:
        monkeypatch.delenv(GO_EMOTIONS_ENV, raising=False)
    else:
        monkeypatch.setenv(GO_EMOTIONS_ENV, str(folder))
    # Recompute the ranking in the kernel from the raw probabilities (10 x 43,410 floats are too
    # many to send back as JSON).
    probe = (
        "{'n_epochs': w.dynamics.n_epochs, 'same_dynamics': w.dynamics is td,"
        " 'n_examples': td.n_examples, 'ids_match': td.ids.tolist() == list(train['id']),"
        " 'regions': {k: int(v) for k, v in td.metrics()['region'].value_counts().items()},"
        " 'mean': __import__('numpy').asarray(td.gold_probabilities(), dtype='float64').mean(0).tolist(),"
        " 'std': __import__('numpy').asarray(td.gold_probabilities(), dtype='float64').std(0).tolist(),"
        " 'variability_threshold': td.variability_threshold,"
        " 'confidence_threshold': td.confidence_threshold,"
        " 'ids': td.ids.tolist(), 'gold': y.tolist(),"
        " 'likely_mislabeled': likely_mislabeled.index.tolist(),"
        " 'cf_in_sample': td_cf.in_sample is not None and td_cf.in_sample.n_epochs,"
        " 'cf_ranked': td_cf.label_issues().index[:20].tolist(),"
        " 'cf_listed': cross_fitted_mislabeled.index.tolist(),"
        " 'cf_flagged': int(issues['flagged'].sum()),"
        " 'cf_listed_p_last': [float(td_cf.gold_probabilities()[-1][td_cf.index_of([i])[0]])"
        "                      for i in cross_fitted_mislabeled.index],"
        " 'reviewed': w.reviews.index.tolist(), 'flagged_top': to_fix.index.tolist(),"
        " 'verdicts': w.reviews['verdict'].astype(str).unique().tolist(),"
        " 'new_labels': w.reviews['new_label'].dropna().tolist(),"
        " 'actions': to_fix['action'].astype(str).unique().tolist(),"
        " 'n_cleaned': len(cleaned),"
        " 'removed': sorted(set(train['id']) - set(cleaned['id'])),"
        " 'kept_labels_unchanged': (lambda old: all(old[i] == label"
        "     for i, label in zip(cleaned['id'], cleaned['label'])))"
        "     (dict(zip(train['id'], train['label']))),"
        " 'dev_before': dev_before, 'dev_after': dev_after}"
    )
    nb, facts = run_notebook(
        "go_emotions_gratitude.ipynb", "LOCAL_DATA_DIR = None", probe, monkeypatch
    )

    assert facts["n_epochs"] == 10 and facts["same_dynamics"]
    assert facts["n_examples"] == 43410 and facts["ids_match"]
    assert_widget_shown_before_training(nb, "partial_fit")
    assert_region_tables_have_rows(nb)
    assert all(
        facts["regions"].get(r, 0) > 0 for r in ("easy-to-learn", "ambiguous", "hard-to-learn")
    )

    confidence, variability = np.asarray(facts["mean"]), np.asarray(facts["std"])
    hard = (variability < facts["variability_threshold"]) & (
        confidence < facts["confidence_threshold"]
    )
    ids = np.asarray(facts["ids"])
    # The likely-mislabeled list is the least confident end of the hard-to-learn region.
    order = np.argsort(confidence[hard], kind="stable")
    listed = facts["likely_mislabeled"]
    assert len(listed) == 20
    position = {id_: i for i, id_ in enumerate(ids)}
    assert all(hard[position[i]] for i in listed)
    cutoff = confidence[hard][order][len(listed) - 1]
    assert max(confidence[position[i]] for i in listed) <= cutoff + 1e-12

    printed = stream_text(nb.cells[cell_index(nb, "likely_mislabeled =")]).splitlines()
    gold = dict(zip(ids, facts["gold"]))
    expected = [f"gold={'gratitude' if gold[i] else 'other'}" for i in listed]
    assert len(printed) == 20 and all(want in line for want, line in zip(expected, printed))

    # The tutorial ends with the cross-fitted list: the top of label_issues(), held-out evidence.
    assert facts["cf_in_sample"] == 10
    assert facts["cf_listed"] == facts["cf_ranked"] and len(facts["cf_listed"]) == 20
    assert 0 < facts["cf_flagged"] < 0.2 * facts["n_examples"]
    assert max(facts["cf_listed_p_last"]) < 0.5  # every listed label is rejected held out
    listed_cell = nb.cells[cell_index(nb, "cross_fitted_mislabeled =")]
    lines = stream_text(listed_cell).splitlines()
    assert len(lines) == 20
    assert all(
        f"gold={'gratitude' if gold[i] else 'other'}" in line
        for i, line in zip(facts["cf_listed"], lines)
    )

    # It ends by reviewing the top flagged comments through the widget, applying the decisions
    # and training again: the dev metric is printed before and after.
    assert 0 < len(facts["reviewed"]) <= 200 and facts["reviewed"] == facts["flagged_top"]
    # the default action of a flagged comment is "remove" (README "Finding label errors")
    assert facts["actions"] == ["remove"] and facts["verdicts"] == ["remove"]
    assert facts["new_labels"] == []  # removed, not relabeled
    assert facts["n_cleaned"] == facts["n_examples"] - len(facts["reviewed"])
    assert facts["removed"] == sorted(facts["reviewed"]) and facts["kept_labels_unchanged"]
    printed = stream_text(nb.cells[cell_index(nb, "dev_after =")]).splitlines()
    assert len(printed) == 2
    for line, value in zip(printed, (facts["dev_before"], facts["dev_after"])):
        assert 0 < value <= 1 and line.endswith(f"{value:.3f}"), (line, value)
    assert "original labels" in printed[0] and "corrected data" in printed[1]


def test_demo_script_serves_the_quickstart_from_any_directory(tmp_path):
    """scripts/demo.sh, started elsewhere, prints a URL that opens the quickstart notebook."""
    import signal
    import socket
    import subprocess
    import time
    import urllib.parse
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    env["PYTHON"] = sys.executable  # the tests' interpreter, never whatever python3 is first
    log = tmp_path / "demo.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            ["bash", str(REPO / "scripts" / "demo.sh"), "--port", str(port), "--ip", "127.0.0.1"],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        pattern = re.compile(rf"http://127\.0\.0\.1:{port}/\S+token=\w+")
        deadline = time.monotonic() + 300  # a fresh machine installs first
        while not pattern.search(log.read_text(errors="replace")):
            assert proc.poll() is None, f"demo.sh exited early:\n{log.read_text(errors='replace')}"
            assert time.monotonic() < deadline, (
                f"no URL printed:\n{log.read_text(errors='replace')}"
            )
            time.sleep(0.5)
        url = urllib.parse.urlsplit(pattern.search(log.read_text(errors="replace")).group(0))
        assert url.path == "/lab/tree/notebooks/quickstart.ipynb"
        token = urllib.parse.parse_qs(url.query)["token"][0]
        api = f"http://127.0.0.1:{port}/api/contents/notebooks/quickstart.ipynb?content=0&token={token}"
        with urllib.request.urlopen(api, timeout=30) as response:
            assert json.load(response)["type"] == "notebook"
        with urllib.request.urlopen(urllib.parse.urlunsplit(url), timeout=30) as response:
            assert response.status == 200 and b"JupyterLab" in response.read()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
