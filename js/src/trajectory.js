// @ts-check
// Drive the panel's small bqplot chart: p(gold) per epoch, 0.5 guide, correct (o) / incorrect (x).

/** Show example i's trajectory over epochs 1..k (plain arrays: at most a few hundred epochs). */
export function showTrajectory(parts, history, i, k) {
  const xs = [];
  const ys = [];
  const rightX = [];
  const rightY = [];
  const wrongX = [];
  const wrongY = [];
  if (i !== null && k > 0) {
    for (let e = 0; e < k; e++) {
      const p = history.rows[e].pGold[i];
      xs.push(e + 1);
      ys.push(p);
      if (history.rows[e].correct[i]) {
        rightX.push(e + 1);
        rightY.push(p);
      } else {
        wrongX.push(e + 1);
        wrongY.push(p);
      }
    }
  }
  const last = Math.max(1, k);
  const step = Math.ceil(last / 10);
  const ticks = [];
  for (let e = 1; e <= last; e += step) ticks.push(e);
  parts.traj_x.set({ min: 0.5, max: last + 0.5 });
  parts.traj_x_axis.set({ tick_values: ticks });
  parts.traj_half.set({ x: [0.5, last + 0.5], y: [0.5, 0.5] });
  parts.traj_line.set({ x: xs, y: ys });
  parts.traj_right.set({ x: rightX, y: rightY });
  parts.traj_wrong.set({ x: wrongX, y: wrongY });
}
