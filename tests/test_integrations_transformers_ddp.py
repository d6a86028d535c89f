"""The Trainer callback under DDP: 2 CPU processes (gloo) launched with torch.distributed.run.

Each rank's own hooks record the positions and logits of every training forward; rank 0's map
must equal p(gold) from the union of both ranks' batches (rank 0's first, first occurrence wins
for the examples accelerate repeats to even out the last batches), and rank 1 records nothing.
"""

import pickle
import socket
import textwrap

import numpy as np
import pytest
from _scripts import run_python

N, EPOCHS = 29, 2  # odd: the ranks' shards get padded with repeated examples

WORKER = textwrap.dedent(f"""
    import contextlib, io, os, pickle, sys
    import numpy as np, torch
    from datasets import Dataset
    from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                              TrainerCallback, TrainingArguments, default_data_collator)
    from datamap_widget import TrainingDynamics
    from datamap_widget.integrations.transformers import add_data_map

    torch.set_num_threads(1)
    out, N, T = sys.argv[1], {N}, 6
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, N)
    ds = Dataset.from_dict({{"input_ids": rng.integers(1, 100, (N, T)).tolist(),
                            "attention_mask": [[1] * T] * N, "label": labels.tolist()}})
    torch.manual_seed(0)
    model = BertForSequenceClassification(BertConfig(
        vocab_size=100, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, num_labels=3))
    seen = []
    def pre(module, args, kwargs):
        seen.append(kwargs.get("datamap_id"))
    def post(module, args, output):
        if module.training:
            seen[-1] = (seen[-1].numpy().copy(), output.logits.detach().numpy().copy())
        else:
            seen.pop()
    model.register_forward_pre_hook(pre, with_kwargs=True)
    model.register_forward_hook(post)

    class EpochMark(TrainerCallback):
        def on_epoch_end(self, *args, **kwargs):
            seen.append("epoch")

    td = TrainingDynamics(labels)
    args = TrainingArguments(output_dir=out, num_train_epochs={EPOCHS}, report_to=[], use_cpu=True,
                             per_device_train_batch_size=4, learning_rate=1e-2, seed=0,
                             save_strategy="no", logging_strategy="no", disable_tqdm=True)
    trainer = Trainer(model=model, args=args, train_dataset=ds, data_collator=default_data_collator)
    trainer.add_callback(EpochMark())
    add_data_map(trainer, td)
    with contextlib.redirect_stdout(io.StringIO()):
        trainer.train()
    rank = torch.distributed.get_rank()
    with open(os.path.join(out, f"rank{{rank}}.pkl"), "wb") as f:
        pickle.dump(dict(seen=seen, labels=labels, p=td.gold_probabilities(),
                         epochs=td.n_epochs, world=torch.distributed.get_world_size()), f)
    torch.distributed.barrier()
    torch.distributed.destroy_process_group()  # a clean gloo shutdown (else it may abort at exit)
""")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def split_epochs(seen):
    epochs = [[]]
    for item in seen:
        if isinstance(item, str):
            epochs.append([])
        else:
            epochs[-1].append(item)
    return epochs[:-1]


@pytest.mark.slow
def test_trainer_ddp_two_ranks_rank0_records_the_union(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    run = run_python(
        [
            "-m",
            "torch.distributed.run",
            "--nproc_per_node=2",
            f"--master_port={free_port()}",
            str(script),
            str(tmp_path),
        ]
    )
    assert run.returncode == 0, run.stderr[-3000:]
    r0, r1 = (pickle.loads((tmp_path / f"rank{r}.pkl").read_bytes()) for r in (0, 1))
    assert r0["world"] == 2 and r0["epochs"] == EPOCHS and r1["epochs"] == 0
    labels = r0["labels"]
    e0, e1 = split_epochs(r0["seen"]), split_epochs(r1["seen"])
    ref = np.full((EPOCHS, N), np.nan)
    for epoch in range(EPOCHS):
        rows = sum(len(pos) for pos, _ in e0[epoch] + e1[epoch])
        assert rows > N  # the padding repeats really happened
        for pos, logits in e0[epoch] + e1[epoch]:
            z = np.exp(logits - logits.max(1, keepdims=True))
            p = z / z.sum(1, keepdims=True)
            for i, row in zip(pos, p):
                if np.isnan(ref[epoch, i]):
                    ref[epoch, i] = row[labels[i]]
    assert not np.isnan(ref).any()
    np.testing.assert_allclose(r0["p"], ref, rtol=1e-5, atol=1e-6)
