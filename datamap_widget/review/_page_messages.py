"""The page's side of the log: decisions arrive as messages, and go back as one JSON list.

Messages carry a ``decision_id`` made in the page, so one re-sent after a reconnect is
recognised and recorded once. Each decision is encoded once, when it is added.
"""

from __future__ import annotations

import json
import numbers
from dataclasses import dataclass

from datamap_widget.review._decision import Decision

# the page's copy of the decisions: compact, so chunks encoded apart join into the same text
_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


@dataclass
class AppliedMessages:
    """What :meth:`ReviewLog.apply_messages` did: new decisions, repeats skipped, refusals."""

    recorded: list
    duplicates: int
    errors: list  # (decision_id or None, message)


class PageMessages:
    """``apply_messages``, ``to_messages`` and ``messages_json``."""

    def apply_messages(self, messages) -> AppliedMessages:
        """Record decisions sent by the page, as they arrive after the kernel was busy.

        Each message is a dict ``{"decision_id": str, "index": position, "verdict": str,
        "new_label": class index or None, "label": label index or None (multilabel),
        "time": milliseconds since the epoch}``. Positions index ``ids``. Messages seen before
        (same ``decision_id``) are skipped; a bad message is refused alone (listed in
        ``errors``) and the others are recorded, all with one durable write.
        """
        with self._lock:
            fresh, positions, errors, duplicates = [], [], [], 0
            seen: dict[str, Decision] = {}
            for message in messages:
                did = message.get("decision_id") if isinstance(message, dict) else None
                try:
                    decision, position = self._from_message(message)
                    prior = self._prior(decision) or seen.get(decision.decision_id)
                    if prior is not None:
                        if not prior.same_choice(decision):
                            raise ValueError(
                                f"decision id {did!r} was already used for another decision"
                            )
                        duplicates += 1
                        continue
                except (TypeError, ValueError) as exc:
                    errors.append((did, str(exc)))
                    continue
                seen[decision.decision_id] = decision
                fresh.append(decision)
                positions.append(position)
            self._persist(fresh)
            self._add_many(fresh, positions)
            return AppliedMessages(fresh, duplicates, errors)

    def _from_message(self, message) -> tuple[Decision, int]:
        if not isinstance(message, dict):
            raise TypeError(f"a decision message must be a dict, got {type(message).__name__}")
        missing = [k for k in ("decision_id", "index", "verdict") if k not in message]
        if missing:
            raise ValueError(f"decision message lacks {missing}")
        did = message["decision_id"]
        if not isinstance(did, str) or not did:
            raise ValueError(
                "a page decision needs a non-empty string decision_id, so a "
                "re-sent one can be recognised"
            )
        index = message["index"]
        n = self._ids.shape[0]
        if isinstance(index, bool) or not isinstance(index, numbers.Integral) or not 0 <= index < n:
            raise ValueError(f"index must be a position in 0..{n - 1}, got {index!r}")
        when = message.get("time")
        if when is not None:
            if isinstance(when, bool) or not isinstance(when, numbers.Real):
                raise TypeError(f"time must be milliseconds since the epoch, got {when!r}")
            when = float(when) / 1000.0
        return self._decision(
            self._ids[index].item(),
            int(index),
            message["verdict"],
            message.get("new_label"),
            message.get("label"),
            when,
            did,
        )

    def to_messages(self) -> list[dict]:
        """Every decision in the page's message format (see ``apply_messages``), in order: what
        a synced trait carries so that a reloaded page or a second view shows the same
        decisions. ``apply_messages(log.to_messages())`` on a new log reproduces this one."""
        with self._lock:
            return [self._message(d, pos) for d, pos in zip(self._decisions, self._positions)]

    def messages_json(self) -> str:
        """``to_messages()`` as JSON text, kept up to date as decisions are added: what the
        widget syncs to the page. Each decision is encoded once, so re-sending the list after
        one more decision costs a string join, not a walk over every decision."""
        with self._lock:
            if len(self._message_json) > 1:  # one string from now on: the next join copies it
                self._message_json = [",".join(self._message_json)]
            return "[" + "".join(self._message_json) + "]"

    def _message(self, d: Decision, position: int) -> dict:
        return {
            "decision_id": d.decision_id,
            "index": position,
            "verdict": d.verdict,
            "new_label": None
            if d.new_label is None
            else (bool(d.new_label) if self._task == "multilabel" else int(d.new_label)),
            "label": d.label,
            "time": d.time * 1000.0,
        }

    def _encode_messages(self, decisions: list, positions: list) -> None:
        """Keep the page's JSON of newly added decisions (one encoding for them all)."""
        messages = [self._message(d, p) for d, p in zip(decisions, positions)]
        self._message_json.append(_JSON.encode(messages)[1:-1])
