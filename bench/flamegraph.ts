/**
 * Flame graphs from V8/JSC `.cpuprofile` files (what `bun --cpu-prof` and `node --cpu-prof` write):
 * one box per call path, as wide as the samples spent in it and below it, callers under callees.
 * Idle samples are left out, so the width is the process's CPU time.
 *
 *   bun bench/flamegraph.ts <in.cpuprofile> <out.svg> [title]
 */
import { readFileSync, writeFileSync } from "node:fs";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas?: number[];
}

/** A call path with its sample count (self + descendants). */
export interface FlameNode {
  name: string;
  total: number;
  self: number;
  children: FlameNode[];
}

const IDLE = new Set(["(idle)", "(program)"]);

function frameName(frame: CallFrame): string {
  const fn = frame.functionName || "(anonymous)";
  if (!frame.url) return fn;
  const file = frame.url.replace(/^.*\/(node_modules\/)?/, (m) => (m.includes("node_modules/") ? "node_modules/" : ""));
  return `${fn} ${file}:${frame.lineNumber + 1}`;
}

/** The profile as a tree of call paths with sample counts; idle time removed. */
export function flameTree(profile: CpuProfile): FlameNode {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfCount = new Map<number, number>();
  for (const id of profile.samples) selfCount.set(id, (selfCount.get(id) ?? 0) + 1);
  const childIds = new Set(profile.nodes.flatMap((n) => n.children ?? []));
  const roots = profile.nodes.filter((n) => !childIds.has(n.id));

  const build = (node: ProfileNode): FlameNode | null => {
    const name = frameName(node.callFrame);
    if (IDLE.has(name)) return null;
    const merged = new Map<string, FlameNode>();
    for (const childId of node.children ?? []) {
      const child = byId.get(childId);
      const built = child ? build(child) : null;
      if (!built) continue;
      const same = merged.get(built.name);
      if (same) mergeInto(same, built);
      else merged.set(built.name, built);
    }
    const self = selfCount.get(node.id) ?? 0;
    const children = [...merged.values()].sort((a, b) => b.total - a.total);
    const total = self + children.reduce((sum, c) => sum + c.total, 0);
    return total > 0 ? { name, total, self, children } : null;
  };

  const top: FlameNode = { name: "all CPU samples", total: 0, self: 0, children: [] };
  for (const root of roots) {
    const built = build(root);
    if (!built) continue;
    // the profile's own "(root)" frame adds nothing to read
    for (const child of built.name === "(root)" ? built.children : [built]) top.children.push(child);
    if (built.name === "(root)") top.self += built.self;
  }
  top.children.sort((a, b) => b.total - a.total);
  top.total = top.self + top.children.reduce((sum, c) => sum + c.total, 0);
  return top;
}

function mergeInto(target: FlameNode, other: FlameNode): void {
  target.total += other.total;
  target.self += other.self;
  for (const child of other.children) {
    const same = target.children.find((c) => c.name === child.name);
    if (same) mergeInto(same, child);
    else target.children.push(child);
  }
  target.children.sort((a, b) => b.total - a.total);
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A warm colour that depends only on the name, so one function keeps its colour across graphs. */
function colour(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  const r = 205 + (h % 50);
  const g = 80 + ((h >>> 8) % 130);
  const b = 40 + ((h >>> 16) % 50);
  return `rgb(${r},${g},${b})`;
}

/** The tree as an SVG flame graph (root at the bottom), with a tooltip per box. */
export function renderFlameGraph(tree: FlameNode, title: string, width = 1200): string {
  const rowHeight = 16;
  const depthOf = (n: FlameNode): number => 1 + Math.max(0, ...n.children.map(depthOf));
  const depth = depthOf(tree);
  const top = 40;
  const height = top + depth * rowHeight + 10;
  const boxes: string[] = [];
  const minWidth = 0.5;

  const draw = (node: FlameNode, x: number, level: number) => {
    const w = (node.total / Math.max(1, tree.total)) * (width - 20);
    if (w < minWidth) return;
    const y = height - 10 - (level + 1) * rowHeight;
    const pct = ((100 * node.total) / Math.max(1, tree.total)).toFixed(1);
    const label = w > 30 ? escapeXml(node.name.slice(0, Math.floor(w / 6.5))) : "";
    boxes.push(
      `<g><title>${escapeXml(node.name)}: ${node.total} samples, ${pct} % (self ${node.self})</title>` +
        `<rect x="${(10 + x).toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${rowHeight - 1}" fill="${colour(node.name)}" rx="1"/>` +
        (label ? `<text x="${(13 + x).toFixed(1)}" y="${y + 11}">${label}</text>` : "") +
        "</g>",
    );
    let childX = x;
    for (const child of node.children) {
      draw(child, childX, level + 1);
      childX += (child.total / Math.max(1, tree.total)) * (width - 20);
    }
  };
  draw(tree, 0, 0);

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="monospace" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fdfdf8"/>`,
    `<text x="10" y="18" font-size="14" font-family="sans-serif">${escapeXml(title)}</text>`,
    `<text x="10" y="33" font-size="11" font-family="sans-serif" fill="#555">${tree.total} CPU samples (idle left out); width = share of samples in a call path and below it; hover a box for its figures</text>`,
    ...boxes,
    "</svg>",
    "",
  ].join("\n");
}

/** Reads a .cpuprofile and writes its flame graph. */
export function writeFlameGraph(profilePath: string, svgPath: string, title: string): FlameNode {
  const tree = flameTree(JSON.parse(readFileSync(profilePath, "utf8")) as CpuProfile);
  writeFileSync(svgPath, renderFlameGraph(tree, title));
  return tree;
}

if (import.meta.main) {
  const [input, output, title] = process.argv.slice(2);
  if (!input || !output) {
    console.error("usage: bun bench/flamegraph.ts <in.cpuprofile> <out.svg> [title]");
    process.exit(2);
  }
  const tree = writeFlameGraph(input, output, title ?? input);
  console.log(`${output}: ${tree.total} samples`);
}
