// The journey's step graph as SVG: steps in columns by distance from the first step, arrows for
// `next` links (labelled), and each step's inflow, in progress, passed on and exits by reason.
import { isNumber, list, num, text } from '../format.js';

const W = 190;      // card width
const GAP_X = 96;   // between columns (room for a link's label)
const GAP_Y = 28;   // between cards of a column
const LINE = 17;    // text line height

function exitsOf(step) {
  const e = step.exits && typeof step.exits === 'object' ? step.exits : {};
  return Object.entries(e).filter(([, n]) => isNumber(n));
}

// Columns by breadth-first distance from the first step; unreachable steps go last.
export function layout(steps) {
  const byId = new Map(steps.map((s, i) => [String(s.id), i]));
  const depth = new Array(steps.length).fill(-1);
  const terminals = new Map();
  if (steps.length) depth[0] = 0;
  const queue = steps.length ? [0] : [];
  while (queue.length) {
    const i = queue.shift();
    for (const n of list(steps[i].next)) {
      const j = byId.get(String(n.to));
      if (j === undefined) continue;
      if (depth[j] < 0) { depth[j] = depth[i] + 1; queue.push(j); }
    }
  }
  let maxDepth = Math.max(0, ...depth);
  steps.forEach((_, i) => { if (depth[i] < 0) depth[i] = ++maxDepth; });
  const nodes = steps.map((s, i) => ({ step: s, col: depth[i], h: LINE * (5 + Math.max(exitsOf(s).length, 0)) + 12 }));
  // "end" / "exit" (or a missing `to`): a small terminal node beside each step that leads there.
  const terminalKey = (i, to) => `${i}->${to === null || to === undefined ? 'end' : String(to)}`;
  steps.forEach((s, i) => {
    for (const n of list(s.next)) {
      if (byId.has(String(n.to))) continue;
      const key = terminalKey(i, n.to);
      if (!terminals.has(key)) terminals.set(key, { id: n.to == null ? 'end' : String(n.to), col: depth[i] + 1, h: 34, terminal: true });
    }
  });
  const all = [...nodes, ...terminals.values()];
  const colY = [];
  for (const n of all) {
    n.x = 16 + n.col * (W + GAP_X);
    n.y = (colY[n.col] ?? 16);
    colY[n.col] = n.y + n.h + GAP_Y;
  }
  const index = new Map();
  nodes.forEach((n) => index.set(String(n.step.id), n));
  terminals.forEach((t, k) => index.set(k, t));
  const edges = [];
  nodes.forEach((n, i) => {
    for (const link of list(n.step.next)) {
      const target = index.get(String(link.to)) || index.get(terminalKey(i, link.to));
      if (target) edges.push({ from: n, to: target, label: link.label });
    }
  });
  const width = Math.max(...all.map((n) => n.x + (n.terminal ? 90 : W))) + 16;
  const height = Math.max(...all.map((n) => n.y + n.h)) + 40;
  return { nodes, terminals: [...terminals.values()], edges, width, height };
}

const shorten = (t, n) => (t.length > n ? `${t.slice(0, n - 1)}…` : t);

// The path of an arrow and where its label goes.
function edgeGeometry(e) {
  const back = e.to.col <= e.from.col;
  const x1 = e.from.x + W, y1 = e.from.y + e.from.h / 2;
  const x2 = e.to.x, y2 = e.to.y + e.to.h / 2;
  const d = back
    ? `M${e.from.x + W / 2},${e.from.y + e.from.h} C${e.from.x + W / 2},${e.from.y + e.from.h + 40} ${e.to.x + W / 2},${e.to.y + e.to.h + 40} ${e.to.x + W / 2},${e.to.y + e.to.h}`
    : `M${x1},${y1} C${x1 + GAP_X / 2},${y1} ${x2 - GAP_X / 2},${y2} ${x2},${y2}`;
  const mx = back ? (e.from.x + e.to.x + W) / 2 : (x1 + x2) / 2;
  const my = back ? Math.max(e.from.y + e.from.h, e.to.y + e.to.h) + 30 : (y1 + y2) / 2 - 6;
  return { d, mx, my };
}

function EdgePath({ e }) {
  return <path class="edge" d={edgeGeometry(e).d} marker-end="url(#arrow)" />;
}

function EdgeLabel({ e }) {
  if (!e.label) return null;
  const { mx, my } = edgeGeometry(e);
  return <text x={mx} y={my} text-anchor="middle" class="edge-label">{shorten(String(e.label), 14)}</text>;
}

function Node({ n }) {
  const s = n.step;
  const rows = [
    ['inflow', s.inflow],
    ['in progress', s.in_progress],
    ['passed on', s.passed_on],
  ];
  const exits = exitsOf(s);
  return (
    <g class={`node node-${text(s.type)}`} transform={`translate(${n.x},${n.y})`} data-testid="graph-node" data-id={s.id}>
      <rect width={W} height={n.h} rx="8" />
      <text x="12" y={LINE + 4} class="node-title">{String(s.name || s.id).slice(0, 15)}</text>
      <text x={W - 12} y={LINE + 4} text-anchor="end" class="node-type">{text(s.type)}</text>
      {rows.map(([label, v], i) => (
        <text x="12" y={LINE * (i + 2) + 8} class="node-row">
          <tspan class="muted">{label}</tspan>
          <tspan x={W - 12} text-anchor="end">{num(v)}</tspan>
        </text>
      ))}
      <text x="12" y={LINE * 5 + 8} class="node-row"><tspan class="muted">exits</tspan><tspan x={W - 12} text-anchor="end">{exits.length ? num(exits.reduce((a, [, v]) => a + v, 0)) : '0'}</tspan></text>
      {exits.map(([reason, v], i) => (
        <text x="24" y={LINE * (6 + i) + 8} class="node-row small">
          <tspan class="muted">{reason.replaceAll('_', ' ')}</tspan>
          <tspan x={W - 12} text-anchor="end">{num(v)}</tspan>
        </text>
      ))}
    </g>
  );
}

export function StepGraph({ steps }) {
  if (!steps.length) return <p class="muted">This journey has no steps.</p>;
  const g = layout(steps);
  return (
    <div class="graph-wrap" tabIndex={0} aria-label="Step graph (scrolls sideways); the same numbers are in the table below">
      <svg width={g.width} height={g.height} viewBox={`0 0 ${g.width} ${g.height}`} role="img" aria-label="Journey step graph">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" class="arrow-head" />
          </marker>
        </defs>
        {g.edges.map((e) => <EdgePath e={e} />)}
        {g.nodes.map((n) => <Node n={n} />)}
        {g.terminals.map((t) => (
          <g class="terminal" transform={`translate(${t.x},${t.y})`}>
            <rect width="90" height={t.h} rx="17" />
            <text x="45" y="22" text-anchor="middle">{t.id}</text>
          </g>
        ))}
        {g.edges.map((e) => <EdgeLabel e={e} />)}
      </svg>
    </div>
  );
}
