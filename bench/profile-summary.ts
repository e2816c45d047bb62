/**
 * Where a V8 CPU profile (node --cpu-prof) spends its time: self time per function and per
 * source area (our src/ directories, node_modules packages, Node internals, GC, idle).
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [top]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function area(url: string, name: string): string {
  if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') return name;
  if (url === '') return '(native/V8)';
  if (url.startsWith('node:')) return url.replace(/^node:internal\/([^/]+).*/, 'node:$1');
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return `npm:${module[1]}`;
  const source = /\/(src|dist)\/(.+?)(\/[^/]+)?\.(ts|js)$/.exec(url);
  if (source) return `src/${source[2]}`;
  return url;
}

export function summarizeProfile(path: string, top = 25): string {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfTime = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = profile.endTime - profile.startTime;
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const [id, micros] of selfTime) {
    const { callFrame } = byId.get(id)!;
    const file = callFrame.url.replace(/^.*\/(src|dist|node_modules)\//, '$1/');
    const name = `${callFrame.functionName || '(anonymous)'} ${file}:${callFrame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    const key = area(callFrame.url, callFrame.functionName);
    byArea.set(key, (byArea.get(key) ?? 0) + micros);
  }
  const percent = (micros: number) => `${((micros / total) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`profile of ${(total / 1e6).toFixed(1)} s; self time by area:`];
  for (const [key, micros] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    lines.push(`  ${percent(micros)}  ${key}`);
  }
  lines.push(`top ${top} functions by self time:`);
  for (const [key, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${percent(micros)}  ${key}`);
  }
  return lines.join('\n');
}

if (import.meta.filename === process.argv[1]) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: profile-summary.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(summarizeProfile(file, top ? Number(top) : 25));
}
