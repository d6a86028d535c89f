"""Smoke run of benchmarks/bench_gpu.py --small on the CPU: every loop runs and prints its row."""

import re

import pytest
from _scripts import run_python


@pytest.mark.slow
def test_bench_gpu_small_runs_every_loop_and_prints_the_table():
    run = run_python(
        ["benchmarks/bench_gpu.py", "--small", "--repeats", "1"],
        timeout=600,
        CUDA_VISIBLE_DEVICES="",  # the CPU run, even on a machine with a GPU
    )
    assert run.returncode == 0, run.stderr[-3000:]
    rows = [line for line in run.stdout.splitlines() if line.startswith("| ")]
    rows = [row for row in rows if "ex/s" not in row and "host us" not in row]  # no headers
    names = [row.split(" | ")[0] for row in rows]
    assert sum("EmbeddingBag" in n for n in names) == 4  # 2 batch sizes x (table + detail)
    assert sum("MLP" in n for n in names) == 2 and sum("HF Trainer" in n for n in names) == 1
    percent = re.compile(r"[+-]\d+\.\d%")
    for name, row in zip(names, rows):
        if "HF Trainer" in name:
            assert len(percent.findall(row)) == 1  # plain vs add_data_map
        elif "| n/a (CPU) |" not in row:
            assert len(percent.findall(row)) == 4  # logger, host path, naive, floor
    assert "device: CPU" in run.stdout
