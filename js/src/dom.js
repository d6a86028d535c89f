// Tiny DOM helpers. Data (texts, label names) only ever goes through textContent.

export function h(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function fmt3(value) {
  return Number.isFinite(value) ? value.toFixed(3) : "–";
}
