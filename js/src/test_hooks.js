// Opt-in test instrumentation. Browser tests and benchmarks set
// `window.__datamapWidgetTestHooks = true` in an init script before the page loads; only then
// does a view track its paints/transitions and hang a handle on its element
// (`el.__datamapWidget`). Users' pages get neither.

export function testHooksEnabled() {
  return typeof window !== "undefined" && window.__datamapWidgetTestHooks === true;
}
