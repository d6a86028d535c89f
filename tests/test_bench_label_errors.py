"""Smoke run of benchmarks/bench_label_errors.py --quick, from an empty cache: every step runs
(train, cleanlab, score, retrain every policy) and prints its tables and target lines."""

import pytest
from _go_emotions import go_emotions_dir
from _scripts import run_python


@pytest.mark.slow
def test_bench_label_errors_quick_prints_tables_and_targets(tmp_path):
    folder = go_emotions_dir()
    if folder is None:
        pytest.skip("the benchmark reads a local go_emotions copy: set DATAMAP_GO_EMOTIONS_DIR")
    run = run_python(
        ["benchmarks/bench_label_errors.py", "--quick"],
        timeout=600,
        DATAMAP_BENCH_CACHE=str(tmp_path),
        DATAMAP_GO_EMOTIONS_DIR=str(folder),
    )
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    assert "4 tasks in 3 families" in out
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line]
    cells = [r for r in rows if r.count("|") > 15 and ("uniform" in r or "class-cond" in r)]
    assert len(cells) == 8  # 4 tasks x 2 noise kinds
    families = [r for r in rows if r.split(" | ")[1].strip().isdigit()]
    assert len(families) == 3
    assert "AP vs cleanlab over 8 cells:" in out
    for target in ("AP >= cleanlab", "sum of scores within 25%", "flags' F1", "never lowers"):
        assert target in out, target
    # every cell ran and was cached: runs, cleanlab baselines and retraining results
    assert len(list(tmp_path.glob("runs/*/*.cleanlab.npz"))) == 8
    assert len(list(tmp_path.glob("runs/*/*.npz"))) == 16  # 8 runs + their cleanlab baselines
    assert len(list(tmp_path.glob("retrain/*/*.json"))) == 4
