#!/usr/bin/env node
// Runs the node:test suites under the given folders (default: test/) with TypeScript loaded by tsx.
// Node 20's runner has no globbing of .ts files, so the file list is built here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// `--exclude <dir>` (repeatable) leaves a folder out: `npm test` runs everything but test/interop,
// whose suites need system packages (kcat, a C compiler, Java) and run as `npm run test:interop`.
const args = process.argv.slice(2);
const excluded = new Set();
const rest = [];
// A folder's key: normalised, without a trailing separator ("test/interop/" is "test/interop").
const key = (path) => join(path).replace(/[\\/]+$/, '');
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--exclude') excluded.add(key(args[++i] ?? ''));
  else if (args[i].startsWith('--exclude=')) excluded.add(key(args[i].slice('--exclude='.length)));
  else rest.push(args[i]);
}
const flags = rest.filter((arg) => arg.startsWith('--'));
const roots = rest.filter((arg) => !arg.startsWith('--'));
if (roots.length === 0) roots.push('test');

function collect(path, out) {
  if (excluded.has(key(path))) return out;
  const stat = statSync(path);
  if (stat.isFile()) {
    if (/\.test\.ts$/.test(path)) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path).sort()) {
    if (entry === 'node_modules' || entry === 'fixtures') continue;
    collect(join(path, entry), out);
  }
  return out;
}

const files = roots.flatMap((root) => collect(root, []));
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...flags, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
