// @ts-check
// Decisions made in the page that the kernel has not confirmed yet, and what the map shows.
//
// A decision is shown at once (the kernel may be busy for minutes) and sent as a message. It
// stays "pending" until the kernel's canonical list (ReviewLog.to_messages, synced back) holds
// its decision_id, or until the kernel refuses it. Everything still pending is simply sent
// again after a reconnect or a reload of a view: the kernel drops ids it has already seen, so a
// decision is never lost and never counted twice. Pure logic: no DOM, no model.

export const VERDICT_CODES = { correct: 1, wrong: 2, remove: 3 };

/**
 * The kernel's canonical decisions: the `_reviews` trait holds them as JSON text
 * (ReviewLog.messages_json), which crosses the comm as one string however many there are.
 * @param {unknown} value
 * @returns {any[]}
 */
export function parseReviews(value) {
  if (Array.isArray(value)) return value;
  if (typeof value !== "string" || value === "") return [];
  try {
    const parsed = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

export class DecisionOutbox {
  constructor() {
    this.pending = new Map(); // decision_id -> message, in the order made
    this.refused = new Map(); // decision_id -> reason
  }

  /** A decision just made in this page: keep it until the kernel confirms or refuses it. */
  add(message) {
    this.pending.set(message.decision_id, message);
    return message;
  }

  /** Messages to send (again): every pending decision, oldest first. */
  toSend() {
    return Array.from(this.pending.values());
  }

  /** The kernel's canonical list arrived: drop what it confirms. Returns how many remain. */
  reconcile(canonical) {
    for (const m of canonical || []) this.pending.delete(m.decision_id);
    return this.pending.size;
  }

  /** The kernel refused some decisions ([decision_id, reason] pairs): stop sending them. */
  refuse(errors) {
    for (const [id, reason] of errors || []) {
      if (this.pending.delete(id)) this.refused.set(id, String(reason));
    }
  }

  /**
   * Latest verdict per position (0 none, 1 correct, 2 wrong, 3 remove) over the confirmed
   * decisions followed by the pending ones, as ReviewLog.verdict_codes folds them. With a
   * multilabel `label`, only decisions on that label and removals count.
   */
  verdictCodes(canonical, n, label = null) {
    const codes = new Uint8Array(n);
    const apply = (m) => {
      if (m.index < 0 || m.index >= n) return;
      if (label !== null && m.verdict !== "remove" && m.label !== label) return;
      codes[m.index] = VERDICT_CODES[m.verdict] || 0;
    };
    const confirmed = new Set();
    for (const m of canonical || []) {
      apply(m);
      confirmed.add(m.decision_id);
    }
    for (const m of this.pending.values()) if (!confirmed.has(m.decision_id)) apply(m);
    return codes;
  }

  /** The latest decision on a position (pending ones count), or null: for the list and panel. */
  latest(canonical, index) {
    let found = null;
    for (const m of canonical || []) if (m.index === index) found = m;
    for (const m of this.pending.values()) if (m.index === index) found = m;
    return found;
  }

  isPending(index) {
    for (const m of this.pending.values()) if (m.index === index) return true;
    return false;
  }
}
