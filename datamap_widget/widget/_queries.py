"""The engine's tables in the widget's words: its class names, the shown label by default, and
each example's text (``metrics``, ``hard``, ``label_issues``...), plus the figure, the saved
run and the saved HTML page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from datamap_widget.engine._validation import label_index


class MapQueries:
    """``metrics`` / ``to_dataframe``, the regions, ``label_issues``, ``subset``, ``plot``,
    ``save`` and ``save_html``."""

    def _label_key(self, label):
        """Engine key of ``label`` (a name of this widget or an index); None: the shown label."""
        td = self._dynamics
        if label is None:
            return self._engine_label(self.label)
        return label_index(label, td.task, self._label_names, len(self._label_names))

    def _with_examples(self, frame: pd.DataFrame, key) -> pd.DataFrame:
        """An engine result in the widget's vocabulary: its class names on the label columns,
        and, matched by id, the ``text`` of each example (multilabel: ``gold_labels``, every
        gold label name of the example)."""
        shown = (
            [f"not {self._label_names[key]}", self._label_names[key]]
            if key is not None
            else list(self._label_names)
        )
        frame = frame.copy()
        for column in ("gold_label", "predicted_label", "suggested_label"):
            values = frame.get(column)  # the widget's names (the run may have none)
            if (
                values is not None
                and isinstance(values.dtype, pd.CategoricalDtype)
                and len(values.cat.categories) == len(shown)
            ):
                frame[column] = values.cat.rename_categories(shown)
        positions = self._dynamics.index_of(frame.index.to_numpy())
        if self._texts_list is not None:
            texts = np.asarray(self._texts_list, dtype=object)
            frame["text"] = texts[positions] if len(positions) else []
        if self._dynamics.task == "multilabel":
            names = np.asarray(self._label_names, dtype=object)
            matrix = (
                np.frombuffer(self._gold_sets, dtype=np.uint8)
                .reshape(int(self._dynamics.n_examples), -1)
                .astype(bool)
            )
            frame["gold_labels"] = pd.Series(
                [list(names[row]) for row in matrix[positions]], index=frame.index, dtype=object
            )
        return frame

    def metrics(self, epochs=None, label=None, regions="thresholds") -> pd.DataFrame:
        """The data map (:meth:`TrainingDynamics.metrics`) with a ``text`` column.

        One row per example id: confidence, variability, correctness, forgetfulness,
        threshold_closeness, region, ``gold_label`` and ``predicted_label`` (Categoricals of
        the class names), aum (logits), ``text`` (when the widget has texts) and, multilabel,
        ``gold_labels`` (every gold label of the example).

        Parameters
        ----------
        epochs : int, optional
            The map as it stood after the first ``epochs`` epochs (default: all logged).
        label : str or int, optional
            Multilabel only: the label whose map is wanted (default: the shown label).
        regions : {"thresholds", "quantiles"}
            See :meth:`TrainingDynamics.metrics`.

        Examples
        --------
        >>> df = w.metrics()
        >>> df[df.region == "hard-to-learn"].sort_values("confidence").head()
        """
        key = self._label_key(label)
        frame = self._dynamics.metrics(epochs=epochs, label=key, regions=regions)
        return self._with_examples(frame, key)

    def to_dataframe(self, epochs=None, label=None) -> pd.DataFrame:
        """Same as :meth:`metrics` (the name pandas users look for)."""
        return self.metrics(epochs=epochs, label=label)

    def easy(self, epochs=None, label=None, regions="thresholds") -> pd.DataFrame:
        """Easy-to-learn rows, most confident first, with texts (see :meth:`metrics`)."""
        key = self._label_key(label)
        frame = self._dynamics.easy(epochs=epochs, label=key, regions=regions)
        return self._with_examples(frame, key)

    def ambiguous(self, epochs=None, label=None, regions="thresholds") -> pd.DataFrame:
        """Ambiguous rows, most variable first, with texts (see :meth:`metrics`)."""
        key = self._label_key(label)
        frame = self._dynamics.ambiguous(epochs=epochs, label=key, regions=regions)
        return self._with_examples(frame, key)

    def hard(self, epochs=None, label=None, regions="thresholds") -> pd.DataFrame:
        """Hard-to-learn rows, least confident first (mislabel candidates), with texts.

        Examples
        --------
        >>> train_df.loc[w.hard().index]  # the rows of your data
        """
        key = self._label_key(label)
        frame = self._dynamics.hard(epochs=epochs, label=key, regions=regions)
        return self._with_examples(frame, key)

    def label_issues(self, label=None, *, in_sample=None) -> pd.DataFrame:
        """Every example, most likely mislabeled first (:meth:`TrainingDynamics.label_issues`),
        with texts. Multilabel: ``label`` defaults to the shown label. Pass the result (or its
        flagged rows) to :meth:`accept_suggestions` to turn it into review decisions.
        """
        key = self._label_key(label)
        frame = self._dynamics.label_issues(key, in_sample=in_sample)
        return self._with_examples(frame, key)

    def subset(self, region=None, *, fraction=None, by=None, label=None, epochs=None):
        """Ids of a training subset (default label: the shown one); see
        :meth:`TrainingDynamics.subset`.

        Examples
        --------
        >>> w.subset(fraction=0.33)  # the 33% most ambiguous examples
        """
        return self._dynamics.subset(
            region, fraction=fraction, by=by, label=self._label_key(label), epochs=epochs
        )

    def subset_of(
        self, data, region=None, *, fraction=None, by=None, label=None, epochs=None, id_column=None
    ):
        """Rows of ``data`` in :meth:`subset` (same type back; ``id_column`` defaults to the
        constructor's); see :meth:`TrainingDynamics.subset_of`.

        Examples
        --------
        >>> ambiguous_df = w.subset_of(train_df, fraction=0.33)
        """
        return self._dynamics.subset_of(
            data,
            region,
            fraction=fraction,
            by=by,
            label=self._label_key(label),
            epochs=epochs,
            id_column=self._id_column if id_column is None else id_column,
        )

    def plot(self, ax=None, epochs=None, label=None, hue="correctness"):
        """The paper's figure of what the widget shows; see :meth:`TrainingDynamics.plot`.

        Its class names, the shown label (multilabel) and the current thresholds. The page's
        replay position and colour choice stay in the browser: ``epochs`` defaults to all
        logged epochs and ``hue`` to correctness.

        Examples
        --------
        >>> w.plot().savefig("data_map.png", dpi=200)
        """
        from datamap_widget.engine.plotting import map_title, plot_data_map

        td = self._dynamics
        key = self._label_key(label)
        frame = self.to_dataframe(epochs=epochs, label=key)
        shown = None if key is None else self._label_names[key]
        return plot_data_map(
            frame,
            variability_threshold=td.variability_threshold,
            confidence_threshold=td.confidence_threshold,
            hue=hue,
            ax=ax,
            title=map_title(len(frame), td.n_epochs if epochs is None else epochs, shown),
        )

    def save(self, path) -> None:
        """Write the run (with a cross-fitted run's in-sample map) and the review decisions to
        a new or empty folder; ``DataMapWidget(dynamics=path)`` shows it again, and
        ``DataMapWidget(dynamics=path, path=path)`` carries on appending to it."""
        self._dynamics.save(path)
        if len(self._review_log):
            self._review_log.save(path)

    def save_html(self, path, *, title=None):
        """Write the map as one self-contained HTML file that opens with no kernel and no network.

        The file holds the page's code, the history of the shown label, the texts or images,
        ids, class names, thresholds and review decisions so far. Opened in a browser (even
        from disk, offline) the map, replay, hover, click to the panel, search, colour and
        selection work; review decisions and switching labels need the kernel and are off.
        Size: about 6 bytes per example per epoch plus the texts, deflated (see README).

        Parameters
        ----------
        path : str or path
            Where to write (replaced whole; its folder must exist).
        title : str, optional
            The page's title (default "Data map").

        Returns
        -------
        pathlib.Path
            The file written (absolute).

        Examples
        --------
        >>> w.save_html("data_map.html")
        """
        from datamap_widget.widget._html_export import save_html

        return save_html(self, path, title=title)
