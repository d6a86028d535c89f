"""The log's ``reviews.jsonl``: read back when a run is opened, appended to durably before a
decision counts, written whole by ``save``.

The file format and its durability are ``_review_store``'s; this checks that the file belongs to
the run and turns its lines into decisions (a damaged line is an error naming file and line).
"""

from __future__ import annotations

import warnings

from datamap_widget.engine import persistence
from datamap_widget.review import _review_store as store
from datamap_widget.review._decision import Decision


class SavedDecisions:
    """Reading, appending and saving ``reviews.jsonl``."""

    def _check_same_run(self, directory) -> None:
        header = {
            "task": self._task,
            "n_classes": self._n_classes,
            "label_names": self._label_names,
            "ids": self._ids,
            "gold": self._gold,
        }
        persistence._check_same_run(directory, persistence.read_header(directory), header)

    @staticmethod
    def _to_json(d: Decision) -> dict:
        return {
            "decision_id": d.decision_id,
            "id": d.id,
            "verdict": d.verdict,
            "new_label": d.new_label,
            "label": d.label,
            "gold": d.gold,
            "time": d.time,
        }

    def _persist(self, decisions: list[Decision]) -> None:
        if self._read_only is not None and decisions:
            warnings.warn(
                f"review decisions are kept in memory, not written to {self._read_only}: the "
                "run was loaded, not resumed. To append to its folder, open it with "
                "DataMapWidget(dynamics=folder, path=folder) (or ReviewLog(td, path=folder)); "
                "to keep them elsewhere, w.save(new_folder)",
                UserWarning,
                stacklevel=4,
            )
            self._read_only = None  # said once
        if self._file is None or not decisions:
            return
        store.append(self._file, [self._to_json(d) for d in decisions])

    def _load(self, file) -> None:
        for number, obj in store.read_lines(file):
            try:
                missing = [k for k in ("id", "verdict", "time") if k not in obj]
                if missing:
                    raise ValueError(f"lacks {missing}")
                position = self._position_of_id(obj["id"])
                decision, _ = self._decision(
                    obj["id"],
                    position,
                    obj["verdict"],
                    obj.get("new_label"),
                    obj.get("label"),
                    obj["time"],
                    obj.get("decision_id"),
                )
                if obj.get("gold") != decision.gold:
                    raise ValueError(
                        f"the decision was made on gold {obj.get('gold')!r} but the "
                        f"run's gold for id {decision.id!r} is {decision.gold!r}"
                    )
                if self._prior(decision) is not None:
                    continue
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{file}, line {number}: {exc}") from None
            self._add(decision, position)

    def save(self, directory) -> None:
        """Write every decision to ``reviews.jsonl`` in a run directory (e.g. after
        ``td.save(directory)`` of an in-memory run); refuses to overwrite an existing file."""
        directory = store.check_run_directory(directory)
        self._check_same_run(directory)
        file = store.reviews_file(directory)
        if file.exists():
            raise FileExistsError(
                f"{file} exists; open the run with ReviewLog(td, path=...) to add decisions to it"
            )
        with self._lock:
            rows = [self._to_json(d) for d in self._decisions]
        store.create(file)
        if rows:
            store.append(file, rows)
