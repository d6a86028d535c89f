"""Keras 3 callback (torch backend): one map epoch per fit epoch, from model.predict at epoch end."""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")  # only torch is installed here; set before keras

import keras
import numpy as np
import pytest

from datamap_widget import TrainingDynamics
from datamap_widget.integrations.keras import DataMapCallback

N, D, C = 64, 5, 3


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, D)).astype("float32")
    y = (np.argmax(x[:, :C], axis=1) + (rng.random(N) < 0.15)) % C  # some noisy labels
    return x, y


def model(from_logits):
    keras.utils.set_random_seed(0)
    m = keras.Sequential(
        [
            keras.Input((D,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(C, activation=None if from_logits else "softmax"),
        ]
    )
    m.compile(
        optimizer=keras.optimizers.Adam(0.05),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits),
    )
    return m


class PredictEachEpoch(keras.callbacks.Callback):
    """Reference: the same model's predictions at each epoch end, as probabilities."""

    def __init__(self, x, from_logits):
        super().__init__()
        self.x, self.from_logits, self.rows = x, from_logits, []

    def on_epoch_end(self, epoch, logs=None):
        p = np.asarray(self.model.predict(self.x, verbose=0), dtype=np.float64)
        if self.from_logits:
            p = np.exp(p - p.max(1, keepdims=True))
            p /= p.sum(1, keepdims=True)
        self.rows.append(p)


@pytest.mark.parametrize("from_logits", [False, True])
def test_each_epoch_logs_the_models_predictions(from_logits):
    x, y = data()
    m = model(from_logits)
    td = TrainingDynamics(y)
    ref = PredictEachEpoch(x, from_logits)
    m.fit(
        x,
        y,
        epochs=3,
        batch_size=16,
        verbose=0,
        callbacks=[DataMapCallback(td, x, logits=from_logits), ref],
    )
    assert td.n_epochs == 3
    expected = [p[np.arange(N), y] for p in ref.rows]
    np.testing.assert_allclose(td.gold_probabilities(), expected, rtol=1e-4, atol=1e-6)
    assert not np.allclose(expected[0], expected[-1])


def test_every_and_ids():
    x, y = data()
    order = np.random.default_rng(1).permutation(N)
    td = TrainingDynamics(y, ids=[f"r{i}" for i in range(N)])
    m = model(False)
    cb = DataMapCallback(td, x[order], ids=[f"r{i}" for i in order], every=2)
    m.fit(x[order], y[order], epochs=4, batch_size=16, verbose=0, callbacks=[cb])
    assert td.n_epochs == 2
    p = np.asarray(m.predict(x, verbose=0))
    np.testing.assert_allclose(
        td.gold_probabilities()[-1], p[np.arange(N), y], rtol=1e-4, atol=1e-6
    )


def test_logits_passed_as_probabilities_is_a_clear_first_epoch_error():
    x, y = data()
    td = TrainingDynamics(y)
    with pytest.raises(ValueError, match="logits=True"):
        model(True).fit(x, y, epochs=2, verbose=0, callbacks=[DataMapCallback(td, x)])
    assert td.n_epochs == 0
    with pytest.raises(ValueError, match="every"):
        DataMapCallback(td, x, every=0)
    with pytest.raises(TypeError, match="log_epoch"):
        DataMapCallback(object(), x)
