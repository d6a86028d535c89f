"""Ranking the examples of a run: the regions, the paper's training subsets and label issues.

Each ranks the map that ``metrics`` gives; the subsets and label issues live in their own engine
modules (``subsets``, ``label_issues``), imported on first use.
"""

from __future__ import annotations

import warnings

import pandas as pd


class MapRanking:
    """``easy`` / ``ambiguous`` / ``hard``, ``subset`` / ``subset_of`` and ``label_issues``."""

    def _region(self, name, by, ascending, epochs, label, regions) -> pd.DataFrame:
        df = self.metrics(epochs=epochs, label=label, regions=regions)
        return df[df["region"] == name].sort_values(by, ascending=ascending, kind="stable")

    def easy(self, epochs=None, label=None, regions="thresholds") -> pd.DataFrame:
        """Easy-to-learn rows, most confident first (``regions``: see ``metrics``)."""
        return self._region("easy-to-learn", "confidence", False, epochs, label, regions)

    def ambiguous(self, epochs=None, label=None, regions="thresholds") -> pd.DataFrame:
        """Ambiguous rows, most variable first (``regions``: see ``metrics``)."""
        return self._region("ambiguous", "variability", False, epochs, label, regions)

    def hard(self, epochs=None, label=None, regions="thresholds") -> pd.DataFrame:
        """Hard-to-learn rows, least confident first: the likeliest mislabels lead.

        Examples
        --------
        >>> td.hard()[["confidence", "gold_label", "predicted_label"]].head()  # relabel candidates
        """
        return self._region("hard-to-learn", "confidence", True, epochs, label, regions)

    def label_issues(self, label=None, *, in_sample=None) -> pd.DataFrame:
        """Every example, most likely mislabeled first: score, flagged, gold, suggested label...

        Meant for a cross-fitted (held-out) run; see ``datamap_widget.engine.label_issues``. Ranking
        a plain (in-sample) run or a single epoch warns: both rank worse, and say why.
        """
        from datamap_widget.engine.label_issues import label_issues

        self._warn_weak_ranking(in_sample)
        return label_issues(self, label, in_sample=in_sample)

    def _warn_weak_ranking(self, in_sample) -> None:
        reasons = []
        if not self._held_out and in_sample in (None, False) and self.n_epochs:
            reasons.append(
                "this run is in-sample (each example scored by a model trained on it): a model "
                "that can memorise fits wrong labels and stops flagging them. Cross-fit for a "
                "held-out map: fit_epochs(..., cv=5), or CrossFitRouter in your own loop"
            )
        if self.n_epochs == 1:
            reasons.append(
                "it has a single epoch: the ranking rests on one snapshot of p(gold); log more "
                "epochs for a steadier one"
            )
        if reasons:
            warnings.warn(
                "label_issues() ranks a weak run: " + "; and ".join(reasons),
                UserWarning,
                stacklevel=3,
            )

    def subset(self, region=None, *, fraction=None, by=None, label=None, epochs=None) -> pd.Index:
        """Ids of a training subset as the paper selects them, first the ones it trains on first.

        Parameters
        ----------
        region : {"ambiguous", "hard-to-learn", "easy-to-learn"}, optional
            Alone: the region's examples by the fixed thresholds, in the order of
            ``ambiguous()`` / ``hard()`` / ``easy()``. With ``fraction``: the paper's share
            for that region, of all examples: the most variable, the least or the most
            confident.
        fraction : float in (0, 1], optional
            Keep ``round(fraction * N)`` of all examples, ranked by ``by`` (or the region's
            metric); 0.33 is the paper's 33%.
        by : {"variability", "confidence", "correctness", "forgetfulness", \
"threshold_closeness", "aum"}, optional
            Ranking metric when no region is given (default "variability"), from the end the
            paper trains on: variability, forgetfulness, threshold_closeness highest first;
            confidence, correctness, aum lowest first.
        label : str or int, optional
            Multilabel only: the label whose map ranks the examples.
        epochs : int, optional
            Rank by the map after the first ``epochs`` epochs (default: all logged).

        Returns
        -------
        pandas.Index
            Example ids (named ``id``) in ranking order; ties keep dataset order.
            ``datamap_widget.engine.subsets`` documents where this matches allenai/cartography.

        Examples
        --------
        >>> td.subset(fraction=0.33)  # the 33% most ambiguous: the paper's recipe
        >>> td.subset(fraction=0.33, by="confidence")  # the 33% hardest to learn
        >>> td.subset("easy-to-learn", fraction=0.33)  # the 33% most confident
        >>> td.subset("hard-to-learn")  # the region by the thresholds
        """
        from datamap_widget.engine.subsets import subset

        return subset(self, region, fraction=fraction, by=by, label=label, epochs=epochs)

    def subset_of(
        self, data, region=None, *, fraction=None, by=None, label=None, epochs=None, id_column=None
    ):
        """The rows of ``data`` in ``subset(region, ...)``, same type back, in the subset's order.

        Parameters
        ----------
        data : pandas.DataFrame or datasets.Dataset
            The examples the run was recorded on. Rows are matched by id, never by position in
            the run: the DataFrame's index, or ``id_column``; a ``Dataset`` without
            ``id_column`` by row position (row i is id i). Rows with ids the run does not know,
            repeated ids, or subset examples missing from ``data`` raise a ValueError.
        region, fraction, by, label, epochs
            As for :meth:`subset`.
        id_column : str, optional
            Column of ``data`` that holds the example ids.

        Returns
        -------
        pandas.DataFrame or datasets.Dataset
            ``data.iloc[...]`` / ``data.select(...)`` of the subset's rows.

        Examples
        --------
        >>> train_ambiguous = td.subset_of(train_df, fraction=0.33)
        """
        from datamap_widget.engine.subsets import subset_of

        return subset_of(
            self,
            data,
            region,
            fraction=fraction,
            by=by,
            label=label,
            epochs=epochs,
            id_column=id_column,
        )
