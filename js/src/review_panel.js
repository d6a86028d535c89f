// The review section of a view: the queue bar (previous / next, verdict buttons, class picker)
// and the review list (one row per example of the selection, or of every example ranked by the
// label-issue score when nothing is selected), sortable and virtualised. State lives in the
// controller and its review state (shared by views); this module only draws it and turns clicks
// and keys into their calls. Texts and label names only ever go through textContent.
import { fmt3, h } from "./dom.js";
import { paintImage } from "./examples.js";
import { keyAction } from "./review_queue.js";
import { scrollTopToShow, visibleRows } from "./row_window.js";

const ROW_HEIGHT = 22;
const LIST_HEIGHT = 220;
const SNIPPET_CHARS = 90;
const VERDICT_TEXT = ["", "✓ correct", "✗ wrong", "removed"];

const COLUMNS = [
  { key: null, title: "Text", className: "dmw-rv-text" },
  { key: "gold", title: "Gold", className: "dmw-rv-gold" },
  { key: "confidence", title: "Conf.", className: "dmw-rv-num" },
  { key: "correctness", title: "Corr.", className: "dmw-rv-num" },
  { key: "score", title: "Issue", className: "dmw-rv-num" },
  { key: "decision", title: "Review", className: "dmw-rv-decision" },
];

function button(text, title, onClick) {
  const b = h("button", "dmw-rv-button", text);
  b.type = "button";
  b.title = title;
  b.addEventListener("click", onClick);
  return b;
}

export function buildReviewPanel(ctrl) {
  const { store, review } = ctrl;
  const root = h("div", "dmw-review");
  // The queue bar: previous / next, verdicts, the class picker, what is pending or refused.
  const bar = h("div", "dmw-rv-bar");
  const prev = button("◀ prev (k)", "previous example (k)", () => review.step(-1));
  const next = button("next (j) ▶", "next example (j)", () => review.step(1));
  const where = h("span", "dmw-rv-where");
  const correct = button("Correct (c)", "the gold label is right (c)", () => review.decide("correct"));
  const wrong = button("Wrong (w)", "the gold label is wrong", () => decideWrong());
  const picker = h("select", "dmw-rv-picker");
  picker.title = "the right class (number keys 1..9, 0)";
  const remove = button("Remove (x)", "remove the example from the data (x)", () => review.decide("remove"));
  const status = h("span", "dmw-rv-status");
  // Decisions are recorded by the kernel: a page without one (a saved HTML map) cannot make them.
  const readOnly = !store.connected;
  const offNote = h("span", "dmw-rv-off", readOnly ? "Review is off: decisions need the notebook's kernel." : "");
  // The list opens by itself for a selection of several points; the toggle overrides that until
  // the selection changes (a closed list keeps the widget short in the notebook).
  const toggle = button("", "show or hide the review list", () => {
    userOpen = !isOpen();
    ctrl.notify();
  });
  toggle.classList.add("dmw-rv-toggle");
  bar.append(toggle, prev, next, where, correct, wrong, picker, remove, status, offNote);
  if (readOnly) for (const b of [correct, wrong, picker, remove]) b.title = "off: decisions need the notebook's kernel";
  // The list: a sortable header and a virtualised window of rows.
  const header = h("div", "dmw-rv-header");
  const headerCells = COLUMNS.map((col) => {
    const cell = h("span", `dmw-rv-cell ${col.className}`, col.title);
    if (col.key) {
      cell.classList.add("dmw-rv-sortable");
      cell.title = `sort by ${col.title} (click again to reverse)`;
      cell.addEventListener("click", () => review.setSort(col.key));
    }
    header.append(cell);
    return cell;
  });
  const scroller = h("div", "dmw-rv-list");
  scroller.style.height = `${LIST_HEIGHT}px`;
  const spacer = h("div", "dmw-rv-spacer");
  const rowsBox = h("div", "dmw-rv-rows");
  spacer.append(rowsBox);
  scroller.append(spacer);
  const caption = h("div", "dmw-rv-caption");
  root.append(bar, caption, header, scroller);

  let pickerFor = "";
  function fillPicker(meta) {
    const names = meta.task === "multilabel" ? [] : (meta.class_names || []).map(String);
    const keyOf = names.join("\u0000");
    picker.style.display = names.length > 2 ? "" : "none";
    if (keyOf === pickerFor) return;
    pickerFor = keyOf;
    picker.replaceChildren(h("option", "", "right class…"));
    picker.firstChild.value = "";
    names.forEach((name, c) => {
      const option = h("option", "", c < 10 ? `${(c + 1) % 10} ${name}` : name);
      option.value = String(c);
      picker.append(option);
    });
  }
  picker.addEventListener("change", () => {
    if (picker.value === "") return;
    const cls = Number(picker.value);
    picker.value = "";
    decideClass(cls);
    const widget = root.closest(".datamap-widget");
    if (widget) widget.focus(); // back to the queue keys (j/k are not taken inside a select)
  });

  function goldOf(i) {
    const gold = ctrl.history.gold;
    return gold && i < gold.length ? gold[i] : null;
  }

  function decideClass(cls) {
    const g = goldOf(ctrl.selected);
    if (g === null) return;
    if (cls === g) review.decide("correct");
    else review.decide("wrong", cls);
  }

  function decideWrong() {
    const meta = ctrl.history.meta;
    const g = goldOf(ctrl.selected);
    if (g === null) return;
    if (meta.task === "binary") review.decide("wrong", 1 - g);
    else if (meta.task === "multilabel") review.decide("wrong");
    else picker.focus();
  }

  function textAt(i) {
    const text = store.textAt(i, SNIPPET_CHARS * 4);
    return text === null ? null : text.slice(0, SNIPPET_CHARS);
  }

  const images = store.hasImages;

  /** A row-high grey-level thumbnail of image example i (images mode). */
  function thumbnail(i) {
    const canvas = h("canvas", "dmw-rv-thumb");
    paintImage(canvas, store.imageAt(i));
    canvas.style.height = `${ROW_HEIGHT - 4}px`;
    return canvas;
  }

  function decisionText(i) {
    const code = review.codes[i] || 0;
    if (code !== 2) return VERDICT_TEXT[code];
    const m = review.latest(i);
    const names = ctrl.history.meta.class_names || [];
    if (m && m.new_label !== null && m.new_label !== undefined && typeof m.new_label === "number") {
      return `✗ → ${names[m.new_label] ?? m.new_label}`;
    }
    return VERDICT_TEXT[2];
  }

  let userOpen = null; // null: open for a selection of several points
  let openFor = null; // the selection userOpen was chosen for
  function isOpen() {
    if (openFor !== ctrl.selection) {
      openFor = ctrl.selection;
      userOpen = null;
    }
    return userOpen ?? ctrl.selection.length > 1;
  }

  let order = new Int32Array(0);
  let lastSelected = null;

  function drawRows() {
    const names = ctrl.history.meta.class_names || [];
    const win = visibleRows({
      scrollTop: scroller.scrollTop,
      viewportHeight: LIST_HEIGHT,
      rowHeight: ROW_HEIGHT,
      rowCount: order.length,
    });
    spacer.style.height = `${win.totalHeight}px`;
    rowsBox.style.transform = `translateY(${win.offsetTop}px)`;
    const rows = [];
    const k = ctrl.shown;
    for (let r = win.start; r < win.end; r++) {
      const i = order[r];
      const row = h("div", "dmw-rv-row");
      row.dataset.index = String(i);
      row.dataset.row = String(r);
      if (i === ctrl.selected) row.classList.add("dmw-rv-current");
      const code = review.codes[i] || 0;
      if (code) row.classList.add(`dmw-rv-code${code}`);
      if (review.outbox.isPending(i)) row.classList.add("dmw-rv-pending");
      const text = textAt(i);
      const g = goldOf(i);
      const first = text === null && images ? thumbnail(i) : null;
      const cells = [
        text === null ? `#${i}` : text,
        g === null ? "" : String(names[g] ?? g),
        k > 0 ? fmt3(ctrl.positions.y[i]) : "–",
        k > 0 ? fmt3(ctrl.positions.color[i]) : "–",
        review.scores ? fmt3(review.scores[i]) : "–",
        decisionText(i),
      ];
      cells.forEach((value, c) => {
        row.append(h("span", `dmw-rv-cell ${COLUMNS[c].className}`, value));
      });
      if (first) row.firstChild.prepend(first);
      rows.push(row);
    }
    rowsBox.replaceChildren(...rows);
  }

  rowsBox.addEventListener("click", (event) => {
    const row = event.target.closest ? event.target.closest(".dmw-rv-row") : null;
    if (!row || !rowsBox.contains(row)) return;
    ctrl.select(Number(row.dataset.index));
  });
  let scrollFrame = null;
  scroller.addEventListener("scroll", () => {
    if (scrollFrame !== null) return;
    scrollFrame = requestAnimationFrame(() => {
      scrollFrame = null;
      drawRows();
    });
  });

  function update() {
    const meta = ctrl.history.meta;
    fillPicker(meta);
    order = review.order();
    const { key, descending } = review.sort;
    headerCells.forEach((cell, c) => {
      const col = COLUMNS[c];
      cell.textContent = col.title + (col.key && col.key === key ? (descending ? " ▼" : " ▲") : "");
    });
    const n = order.length;
    const sel = ctrl.selection.length;
    caption.textContent = sel
      ? `${n} selected example${n === 1 ? "" : "s"}`
      : n
        ? `No selection: all ${n} examples, ${review.scores ? "most likely mislabeled first" : "least confident first"}`
        : "No examples to review yet.";
    const open = isOpen();
    toggle.textContent = open ? "▾ list" : "▸ list";
    header.style.display = open ? "" : "none";
    scroller.style.display = open ? "" : "none";
    const i = ctrl.selected;
    const at = i === null ? -1 : order.indexOf(i);
    where.textContent = at >= 0 ? `${at + 1} / ${n}` : `– / ${n}`;
    const active = i !== null;
    for (const b of [correct, wrong, remove, picker]) b.disabled = !active || readOnly;
    prev.disabled = n === 0;
    next.disabled = n === 0;
    const errors = review.errors.length ? ` · refused: ${review.errors[0]}` : "";
    const pending = review.outbox.pending.size;
    status.textContent = (active ? decisionText(i) : "") + (pending ? ` · ${pending} not yet in Python` : "") + errors;
    if (!open) {
      lastSelected = null;
      rowsBox.replaceChildren();
      return;
    }
    if (i !== lastSelected && at >= 0) {
      scroller.scrollTop = scrollTopToShow(at, {
        scrollTop: scroller.scrollTop,
        viewportHeight: LIST_HEIGHT,
        rowHeight: ROW_HEIGHT,
      });
    }
    lastSelected = i;
    drawRows();
  }

  /** A key pressed while the widget has focus: act and return true if it is a review key. */
  function onKey(event) {
    const meta = ctrl.history.meta;
    const action = keyAction(event, {
      task: meta.task,
      nClasses: (meta.class_names || []).length,
      gold: goldOf(ctrl.selected),
    });
    if (!action) return false;
    if (action.type === "next") review.step(1);
    else if (action.type === "previous") review.step(-1);
    else if (action.type === "clear") ctrl.clearSelection();
    else if (action.type === "choose") {
      if (ctrl.selected === null) return false;
      picker.focus();
    } else if (action.type === "decide") {
      if (ctrl.selected === null) return false;
      review.decide(action.verdict, action.newLabel ?? null);
    }
    return true;
  }

  return { root, update, onKey, rowCount: () => order.length, isOpen };
}
