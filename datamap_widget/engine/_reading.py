"""Reading a run: per-epoch arrays, one example's trajectory, the map (metrics) at any epoch,
and the figure of it.

The latest map comes from running statistics in O(N); an earlier one replays the history.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from datamap_widget.engine._ids import id_type_hint
from datamap_widget.engine._stats import RunningStats, metrics_frame
from datamap_widget.engine._validation import check_int, is_correct, label_index, predicted_class


class MapReading:
    """Accessors by id, per-epoch arrays, ``trajectory``, ``metrics`` and ``plot``."""

    def index_of(self, ids) -> np.ndarray:
        """Positions (k,) of the given ids; ValueError naming unknown ids."""
        if hasattr(ids, "detach"):
            ids = ids.detach().cpu().numpy()
        query = np.atleast_1d(np.asarray(ids))
        if query.ndim != 1:
            raise ValueError(f"ids must be 1-D, got shape {query.shape}")
        if query.size == 0:
            return np.zeros(0, np.int64)
        if query.dtype.kind not in "iuUO" or query.dtype == bool:
            raise TypeError(f"ids must be ints or strings, got dtype {query.dtype}")
        positions = self._lookup.positions(query)
        unknown = positions < 0
        if unknown.any():
            shown = query[unknown][:5].tolist()
            raise ValueError(
                f"{int(unknown.sum())} unknown ids (e.g. {shown}); ids must be among the "
                "ids this TrainingDynamics was built with" + id_type_hint(shown, self._ids)
            )
        return positions

    def _column(self, label):
        """Multilabel: resolve a label name or index to a column; other tasks: None."""
        return label_index(label, self._task, self._label_names, self._n_classes)

    def _epochs(self, epochs):
        if epochs is None:
            return self.n_epochs
        epochs = check_int(epochs, "epochs")
        if not 0 <= epochs <= self.n_epochs:
            raise ValueError(f"epochs must lie in 0..{self.n_epochs} (epochs logged), got {epochs}")
        return int(epochs)

    def gold(self, label=None) -> np.ndarray:
        """(N,) gold class index (multilabel: 0/1 for the chosen label)."""
        col = self._column(label)
        if col is None:
            return self._gold
        return self._gold[:, col].astype(np.int64)

    def gold_probabilities(self, label=None) -> np.ndarray:
        """(E, N) float32 p(gold) per epoch (a new array)."""
        return self._history.stack(lambda r, g: r.p_gold, np.float32, self._column(label))

    def correct(self, label=None) -> np.ndarray:
        """(E, N) bool: argmax == gold (multiclass), p(gold) >= 0.5 (binary, multilabel)."""
        return self._history.stack(self._history.correct, bool, self._column(label))

    def predictions(self, label=None) -> np.ndarray:
        """(E, N) predicted class per epoch (binary/multilabel: 0/1, gold on an exact 0.5 tie)."""
        return self._history.stack(self._history.predicted, np.int64, self._column(label))

    def margins(self, label=None) -> np.ndarray:
        """(E, N) float32 gold logit minus largest other logit; needs logits to have been logged."""
        if not self._history.has_margin:
            raise ValueError("margins exist only when epochs were logged with logits=True")
        return self._history.stack(lambda r, g: r.margin, np.float32, self._column(label))

    def trajectory(self, id, label=None) -> pd.DataFrame:
        """One row per epoch for one example: p_gold, prediction, correct (+ margin)."""
        col = self._column(label)
        pos = int(self.index_of([id])[0])
        where = (pos,) if col is None else (pos, col)
        records = list(self._history)
        gold = int(self._gold[where])
        p_gold = np.array([r.p_gold[where] for r in records], np.float32)
        pred = (
            np.array([r.pred[pos] for r in records], np.int64)
            if self._task == "multiclass"
            else None
        )
        correct = is_correct(self._task, p_gold, pred, gold)
        prediction = predicted_class(self._task, p_gold, pred, gold).astype(np.int64)
        data = {"p_gold": p_gold, "prediction": prediction, "correct": correct}
        if self._history.has_margin:
            data["margin"] = np.array([r.margin[where] for r in records], np.float32)
        return pd.DataFrame(data, index=pd.RangeIndex(1, len(records) + 1, name="epoch"))

    def metrics(self, epochs=None, label=None, regions="thresholds") -> pd.DataFrame:
        """The data map: one row per example id, as it stood after the first ``epochs`` epochs.

        Columns: confidence, variability (ddof=0), correctness, forgetfulness (``inf`` if never
        learned), threshold_closeness, region, gold_label and predicted_label (the model's
        prediction at that epoch; missing before the first epoch), and aum when logits were
        logged. The two labels are Categoricals over the class names (class indexes when the
        run has no names; multilabel: "not <label>" / "<label>"), so
        ``df[df.gold_label != df.predicted_label]`` lists the examples the model disagrees with.

        ``region`` is a Categorical over ``REGIONS``. ``regions="thresholds"``: variability >=
        variability_threshold -> ambiguous; else confidence >= confidence_threshold ->
        easy-to-learn; else hard-to-learn. ``regions="quantiles"``: the paper's 33% subsets,
        by rank: the most variable third is ambiguous; of the others, those in the least
        confident third are hard-to-learn and those in the most confident third easy-to-learn;
        the rest get no region (missing). The latest map costs O(N); an earlier one
        (``epochs`` < n_epochs) replays history in O(epochs * N).
        """
        if regions not in ("thresholds", "quantiles"):
            raise ValueError(f"regions must be 'thresholds' or 'quantiles', got {regions!r}")
        col = self._column(label)
        with self._lock:
            k = self._epochs(epochs)
            if k == self.n_epochs:
                frame = metrics_frame(
                    self._stats,
                    self._index,
                    self._variability_threshold,
                    self._confidence_threshold,
                    col,
                    regions,
                )
                return self._add_labels(frame, k, col)
        frame = metrics_frame(
            self._replay(k, col),
            self._index,
            self._variability_threshold,
            self._confidence_threshold,
            None,
            regions,
        )
        return self._add_labels(frame, k, col)

    def _add_labels(self, frame: pd.DataFrame, k: int, col) -> pd.DataFrame:
        """Add the gold label and the prediction after epoch k, as Categoricals over the class names."""
        gold = self.gold(label=col) if col is not None else self._gold
        if col is not None:
            name = None if self._label_names is None else self._label_names[col]
            classes = [0, 1] if name is None else [f"not {name}", name]
        else:
            classes = (
                list(range(self._n_classes))
                if self._label_names is None
                else list(self._label_names)
            )
        if k == 0:
            predicted = np.full(gold.shape[0], -1, np.int64)
        else:
            record = self._history[k - 1]
            p = record.p_gold if col is None else record.p_gold[:, col]
            predicted = predicted_class(self._task, p, record.pred, gold).astype(np.int64)
        dtype = pd.CategoricalDtype(classes)
        frame["gold_label"] = pd.Categorical.from_codes(gold, dtype=dtype, validate=False)
        frame["predicted_label"] = pd.Categorical.from_codes(predicted, dtype=dtype, validate=False)
        return frame

    def _replay(self, k: int, col) -> RunningStats:
        """Statistics after the first k epochs, rebuilt from history in O(k N)."""
        stats = RunningStats(self._gold.shape[:1] if col is not None else self._gold.shape)
        gold = self._gold if col is None else self._gold[:, col]
        for record in self._history[:k]:
            p = record.p_gold if col is None else record.p_gold[:, col]
            margin = record.margin
            if margin is not None and col is not None:
                margin = margin[:, col]
            correct = is_correct(self._task, p, record.pred, gold)
            stats.update(p, correct, margin)
        return stats

    def plot(self, ax=None, epochs=None, label=None, hue="correctness"):
        """Draw the Dataset Cartography figure (Swayamdipta et al. 2020, Fig. 1) with matplotlib.

        Needs the ``plot`` extra (``pip install "datamap-widget[plot]"``, matplotlib >= 3.6).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Draw only the map (with its region guides, counts and legend) into this Axes, e.g.
            one panel of your own figure. Default: a new figure with the map above three
            histograms (confidence, variability, correctness).
        epochs : int, optional
            The map as it stood after the first ``epochs`` epochs (default: all logged).
        label : str or int, optional
            Multilabel only: the label whose map is drawn.
        hue : {"correctness", "region", "gold_label"}
            What colours the points: correctness rounded to one decimal (as in the paper), the
            region, or the gold label.

        Returns
        -------
        matplotlib.figure.Figure
            ``fig.savefig("map.png")`` (or ``.svg``, ``.pdf``); the points are rasterised, so
            vector files stay small at any number of examples.

        Examples
        --------
        >>> fig = td.plot()
        >>> fig.savefig("data_map.pdf")
        """
        from datamap_widget.engine.plotting import map_title, plot_data_map

        k = self._epochs(epochs)
        col = self._column(label)
        name = col if col is None or self._label_names is None else self._label_names[col]
        return plot_data_map(
            self.metrics(epochs=k, label=label),
            variability_threshold=self._variability_threshold,
            confidence_threshold=self._confidence_threshold,
            hue=hue,
            ax=ax,
            title=map_title(self.n_examples, k, name),
        )
