import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BROKER_NODE_OPTIONS } from '../../bench/lib/processes.js';

// The broker's V8 options can only be given on node's command line, so they are written in three
// places: the shebang of bin/samsa.js, `npm start`, and the benchmark's spawn. They must agree, or
// the figures in docs/benchmarks.md stop describing the broker users run.

const root = new URL('../../', import.meta.url);

test('the shebang of bin/samsa.js, npm start and the benchmark start node with the same options', () => {
  const shebang = readFileSync(new URL('bin/samsa.js', root), 'utf8').split('\n')[0]!;
  const match = /^#!\/usr\/bin\/env -S node((?: --\S+)*)$/.exec(shebang);
  assert.ok(match, `unexpected shebang: ${shebang}`);
  const options = match[1]!.trim().split(' ');
  assert.ok(options.includes('--initial-old-space-size=64'), options.join(' '));
  assert.ok(options.includes('--no-memory-reducer'), options.join(' '));

  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
    scripts: Record<string, string>;
  };
  assert.match(pkg.scripts.start!, new RegExp(`node ${options.join(' ')} bin/samsa\\.js start$`));

  assert.deepEqual([...BROKER_NODE_OPTIONS], options);
});

test('this node accepts the broker options', () => {
  const run = spawnSync(process.execPath, [...BROKER_NODE_OPTIONS, '-e', 'process.stdout.write("ok")'], {
    encoding: 'utf8',
  });
  assert.equal(run.stderr, '');
  assert.equal(run.status, 0);
  assert.equal(run.stdout, 'ok');
});
