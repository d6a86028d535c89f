// Opt-in test instrumentation. Browser tests and benchmarks set
// `window.__datamapWidgetTestHooks = true` in an init script before the page loads; only then
// does a view track its paints/transitions and hang a handle on its element
// (`el.__datamapWidget`). Users' pages get neither.

export function testHooksEnabled() {
  return typeof window !== "undefined" && window.__datamapWidgetTestHooks === true;
}

/**
 * What browser tests read and drive (only built when the test hooks are enabled): the data as
 * the store decoded it, the page state (ctrl) and this view's map (paint tracking, tooltip).
 */
export function testHandle({ el, renderer, ctrl, map, review }) {
  const { store } = ctrl;
  return {
    el,
    renderer,
    n: store.n,
    nEpochs: () => store.epochs.complete,
    shownEpoch: () => ctrl.shown,
    positions: () => ({ x: ctrl.positions.x, y: ctrl.positions.y, color: ctrl.positions.color }),
    clientXY: (i) => map.clientXY(i),
    selectedIndex: () => ctrl.selected,
    lastTransition: () => map.tracker.lastTransition(),
    transitionsBegun: () => map.tracker.begun(),
    animating: () => map.animating(),
    frameCostMs: () => (map.raster ? map.raster.frameCost() : null),
    paintedAt: (epoch) => map.tracker.paintedAt(epoch),
    replay: (k) => ctrl.replay(k),
    reviewCodes: () => Array.from(ctrl.review.codes),
    reviewOrder: () => Array.from(ctrl.review.order()),
    reviewRows: () => review.rowCount(),
    reviewListOpen: () => review.isOpen(),
    pendingDecisions: () => ctrl.review.outbox.pending.size,
    hasScores: () => ctrl.scores !== null,
    selection: () => Array.from(ctrl.selection),
    setSelection: (indexes) => ctrl.setSelection(indexes),
    searchHits: () => Array.from(ctrl.searchHits),
    colorBy: () => ctrl.colorBy,
    domain: () => ({ x: map.scales.domain("x"), y: map.scales.domain("y") }),
    tooltipIndex: () => map.tooltip.shownIndex(),
    layersDrawn: () => map.tracker.layersCount(),
    layersDrawnAt: () => map.tracker.layersDrawnAt(),
    tooltipShownAt: () => map.tooltip.shownAt(),
    setReviewCodes: (codes) => {
      ctrl.review.codes = Uint8Array.from(codes);
      ctrl.notify();
    },
    _internals: { ctrl, figureView: map.figureView, redraw: () => map.raster && map.raster.redraw() },
  };
}
