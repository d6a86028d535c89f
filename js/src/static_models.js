// @ts-check
// Widget models without a kernel, for a map saved as one HTML file (datamap_widget/_html_export.py).
// The file carries the widget's ipywidgets state (the widget and the bqplot models it refers to,
// as `ipywidgets.embed.dependency_state` writes it, binary buffers apart); here each becomes a
// StaticModel with the Backbone surface the page and the figure views use (get / set / on / off,
// "change:<name>" events), and a StaticManager hands them out by id as a widget manager does.

/** Attribute values and change events, like a Backbone model (what the page uses of one). */
export class StaticModel {
  /** @param {string} id @param {string} name the ipywidgets model name @param {Record<string, any>} attrs */
  constructor(id, name, attrs) {
    this.model_id = id;
    this.name = name;
    /** @type {Record<string, any>} */
    this.attrs = { ...attrs };
    /** @type {Map<string, Set<Function>>} */
    this.handlers = new Map();
  }

  /** @param {string} key */
  get(key) {
    return this.attrs[key];
  }

  /**
   * Set one attribute or several; then "change:<key>" per changed key and one "change" with the
   * changed keys. Listeners run synchronously (bqplot marks read the figure's animation time then).
   * @param {string | Record<string, any>} key @param {any} [value]
   */
  set(key, value) {
    const values = typeof key === "string" ? { [key]: value } : key || {};
    const changed = Object.keys(values).filter((k) => this.attrs[k] !== values[k]);
    Object.assign(this.attrs, values);
    for (const k of changed) this.trigger(`change:${k}`, this, values[k]);
    if (changed.length) this.trigger("change", this, changed);
  }

  /** @param {string} events one or several names, space-separated @param {Function} handler */
  on(events, handler) {
    for (const event of events.split(/\s+/).filter(Boolean)) {
      const set = this.handlers.get(event) || new Set();
      this.handlers.set(event, set);
      set.add(handler);
    }
  }

  /** @param {string} events @param {Function} handler */
  off(events, handler) {
    for (const event of events.split(/\s+/).filter(Boolean)) {
      const set = this.handlers.get(event);
      if (set) set.delete(handler);
    }
  }

  /** @param {string} event @param {...any} args */
  trigger(event, ...args) {
    for (const handler of [...(this.handlers.get(event) || [])]) handler(...args);
  }
}

/** The id inside a widget reference ("IPY_MODEL_<id>" or the bare id). @param {any} ref */
export function refId(ref) {
  return String(ref).replace(/^IPY_MODEL_/, "");
}

/**
 * Put each binary buffer back where it was taken from (ipywidgets' put_buffers): `state` is changed
 * in place and returned. @param {Record<string, any>} state @param {(string | number)[][]} paths
 * @param {Uint8Array[]} buffers
 */
export function putBuffers(state, paths, buffers) {
  paths.forEach((path, k) => {
    let at = state;
    for (const key of path.slice(0, -1)) at = at[key];
    const bytes = buffers[k];
    at[path[path.length - 1]] = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  });
  return state;
}

const BQ_TYPES = {
  float64: Float64Array,
  float32: Float32Array,
  int32: Int32Array,
  int16: Int16Array,
  int8: Int8Array,
  uint32: Uint32Array,
  uint16: Uint16Array,
  uint8: Uint8Array,
};

/**
 * A bqplot array attribute as plain numbers: bqplot serialises arrays as {value, dtype, shape}
 * (`value` the bytes, or a list for strings); the page sets plain arrays. A 2-D array comes back
 * as a list of rows. Anything else is returned as it is.
 * @param {any} value
 */
export function bqArray(value) {
  if (!value || typeof value !== "object" || Array.isArray(value) || ArrayBuffer.isView(value)) return value;
  if (!("value" in value) || !("dtype" in value)) return value;
  const raw = value.value;
  if (!ArrayBuffer.isView(raw)) return raw;
  const Type = BQ_TYPES[/** @type {keyof typeof BQ_TYPES} */ (value.dtype)];
  if (!Type) throw new Error(`datamap-widget: unsupported bqplot array dtype ${value.dtype}`);
  const copy = new Uint8Array(raw.byteLength);
  copy.set(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
  const flat = Array.from(new Type(copy.buffer));
  const shape = value.shape || [flat.length];
  if (shape.length < 2) return flat;
  const width = shape[shape.length - 1];
  const rows = [];
  for (let r = 0; r < flat.length; r += width) rows.push(flat.slice(r, r + width));
  return rows;
}

/**
 * @typedef {{ model_name: string, state: Record<string, any>, buffers?: { path: (string | number)[], blob: number }[] }} SavedModel
 * @typedef {(model: StaticModel, manager: StaticManager) => any} ViewFactory
 */

/** Hands out the saved models by id and creates their views, as a widget manager does. */
export class StaticManager {
  /**
   * @param {Record<string, SavedModel>} saved models by id, as the file holds them
   * @param {Uint8Array[]} blobs the file's binary buffers (decoded), referred to by index
   * @param {ViewFactory} createView
   */
  constructor(saved, blobs, createView) {
    /** @type {Map<string, StaticModel>} */
    this.models = new Map();
    for (const [id, entry] of Object.entries(saved)) {
      const buffers = entry.buffers || [];
      const state = putBuffers(
        structuredClone(entry.state),
        buffers.map((b) => b.path),
        buffers.map((b) => blobs[b.blob]),
      );
      this.models.set(id, new StaticModel(id, entry.model_name, state));
    }
    this.createView = createView;
  }

  /** @param {any} ref a model id or "IPY_MODEL_<id>" @returns {StaticModel} */
  model(ref) {
    const found = this.models.get(refId(ref));
    if (!found) throw new Error(`datamap-widget: the saved file has no model ${ref}`);
    return found;
  }

  /** @param {string} id */
  async get_model(id) {
    return this.model(id);
  }

  /** @param {StaticModel} model @param {any} [_options] */
  async create_view(model, _options) {
    return this.createView(model, this);
  }
}
