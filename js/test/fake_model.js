// Test doubles for the page's Node tests: an anywidget model (get / set / on / off / send /
// save_changes, Backbone's event order) and the child bqplot models the page drives, plus wire
// values built the way datamap_widget/_sync.py builds them.

/** A bqplot model: records every set. */
export class FakePart {
  constructor(attrs = {}) {
    this.attrs = { ...attrs };
    this.sets = [];
  }
  get(name) {
    return this.attrs[name];
  }
  set(name, value) {
    const values = typeof name === "string" ? { [name]: value } : name;
    Object.assign(this.attrs, values);
    this.sets.push({ ...values, animationDuration: this.figure ? this.figure.attrs.animation_duration : undefined });
  }
}

/** The bqplot models of one widget, by role (what `_parts` refers to). */
export function fakeParts() {
  const map = new FakePart({ animation_duration: 500 });
  const parts = { map };
  const roles = ["points", "highlight", "trajectory", "traj_x", "traj_x_axis", "traj_half", "traj_line"];
  for (const role of [...roles, "traj_right", "traj_wrong"]) parts[role] = new FakePart();
  for (const part of Object.values(parts)) part.figure = map;
  return parts;
}

let nextId = 0;

/**
 * The widget model as the page sees it. `state`: trait values (DataViews for bytes). Like
 * Backbone, `update` sets every value first, then fires one change event per changed trait.
 */
export class FakeModel {
  constructor(state, { parts = fakeParts(), kernel = true } = {}) {
    nextId += 1;
    const ids = Object.fromEntries(Object.keys(parts).map((role) => [role, `IPY_MODEL_m${nextId}_${role}`]));
    this.state = { _parts: ids, ...state };
    this.parts = parts;
    this.handlers = new Map();
    this.sent = [];
    this.saved = [];
    this.widget_manager = {
      get_model: async (id) => parts[Object.keys(ids).find((role) => ids[role] === `IPY_MODEL_${id}`)],
    };
    if (!kernel) {
      this.send = undefined;
      this.set = undefined;
      this.save_changes = undefined;
    }
  }
  get(name) {
    return this.state[name];
  }
  on(event, handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event).add(handler);
  }
  off(event, handler) {
    if (this.handlers.has(event)) this.handlers.get(event).delete(handler);
  }
  listenerCount() {
    let count = 0;
    for (const set of this.handlers.values()) count += set.size;
    return count;
  }
  trigger(event, ...args) {
    for (const handler of [...(this.handlers.get(event) || [])]) handler(...args);
  }
  /** The page sets a trait (fires its change event at once, as Backbone does). */
  set(name, value) {
    this.update({ [name]: value });
  }
  save_changes() {
    this.saved.push(Object.keys(this.state).length);
  }
  send(content) {
    this.sent.push(content);
  }
  /** The kernel changes traits (one comm message). */
  update(values) {
    const changed = Object.keys(values).filter((k) => this.state[k] !== values[k]);
    Object.assign(this.state, values);
    for (const k of changed) this.trigger(`change:${k}`);
  }
  /** A custom message from the kernel. */
  receive(content, buffers = []) {
    this.trigger("msg:custom", content, buffers);
  }
}

/** A wire array {dtype, shape, buffer}: the bytes themselves (synced trait) or a buffer index (message). */
export function wireArray(Type, dtype, values, shape, buffer = null) {
  const data = Type.from(values);
  return { dtype, shape, buffer: buffer === null ? new DataView(data.buffer) : buffer, data };
}

/** The `_epoch` trait value of epoch e (1-based) for one label: p_gold, pred, correct (+ score). */
export function epochTrait(e, { pGold, pred, correct, score = null, label = "" }) {
  const n = pGold.length;
  const value = {
    epoch: e,
    label,
    p_gold: wireArray(Float32Array, "float32", pGold, [1, n]),
    pred: wireArray(Uint8Array, "uint8", pred, [1, n]),
    correct: wireArray(Uint8Array, "uint8", correct, [1, n]),
  };
  if (score) value.score = wireArray(Float32Array, "float32", score, [1, n]);
  return value;
}

/** An "epochs" answer: epochs first..first+E-1 of `label` as (E, N) arrays in the message's buffers. */
export function epochsMessage(first, label, rows) {
  const n = rows[0].pGold.length;
  const e = rows.length;
  const flat = (key) => rows.flatMap((r) => Array.from(r[key]));
  const arrays = [
    ["p_gold", wireArray(Float32Array, "float32", flat("pGold"), [e, n], 0)],
    ["pred", wireArray(Uint8Array, "uint8", flat("pred"), [e, n], 1)],
    ["correct", wireArray(Uint8Array, "uint8", flat("correct"), [e, n], 2)],
  ];
  const content = { type: "epochs", label, first };
  for (const [name, { dtype, shape, buffer }] of arrays) content[name] = { dtype, shape, buffer };
  const buffers = arrays.map(([, { data }]) => new DataView(data.buffer));
  return { content, buffers };
}

/** Bytes as a synced Bytes trait arrives (a DataView). */
export function bytesTrait(Type, values) {
  return new DataView(Type.from(values).buffer);
}

/** Wait for the page's timers (scheduled shows) to run. */
export function settle(ms = 5) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
