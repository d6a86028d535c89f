// @ts-check
// The widget model of a saved map (no kernel): the page's store reads it exactly as it reads the
// live anywidget model (store.js accepts any get / on / off source). It has no `send`, `set` or
// `save_changes`, so the store knows no kernel listens: nothing is requested, decisions are not
// made. The shown label's history, which a live page asks the kernel for, is in the file as the
// kernel's own "epochs" answers; `deliver` hands them to the store as custom messages.

export class StaticSource {
  /**
   * @param {import("./static_models.js").StaticModel} widget the saved widget's model
   * @param {import("./static_models.js").StaticManager} manager the saved bqplot models
   */
  constructor(widget, manager) {
    this.widget = widget;
    this.widget_manager = manager;
  }

  /** @param {string} name */
  get(name) {
    return this.widget.get(name);
  }

  /** @param {string} event @param {Function} handler */
  on(event, handler) {
    this.widget.on(event, handler);
  }

  /** @param {string} event @param {Function} handler */
  off(event, handler) {
    this.widget.off(event, handler);
  }

  /**
   * The saved history answers, to whoever listens (the store): each {content, buffers} with its
   * buffers given as indexes into `blobs`.
   * @param {{ content: any, buffers: number[] }[]} messages @param {Uint8Array[]} blobs
   */
  deliver(messages, blobs) {
    for (const { content, buffers } of messages) {
      const views = buffers.map((k) => new DataView(blobs[k].buffer, blobs[k].byteOffset, blobs[k].byteLength));
      this.widget.trigger("msg:custom", content, views);
    }
  }
}
