import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const specs = process.env['SAMSA_KAFKA_SPECS'] ?? resolve(root, '../shared/kafka-protocol/message');
const outputs = ['src/protocol/generated', 'test/protocol/generated/shapes.json'];

function listFiles(path: string, base: string, out: Map<string, string>): Map<string, string> {
  if (!existsSync(path)) return out;
  if (statSync(path).isFile()) {
    out.set(relative(base, path), readFileSync(path, 'utf8'));
    return out;
  }
  for (const entry of readdirSync(path).sort()) listFiles(join(path, entry), base, out);
  return out;
}

function snapshot(base: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const output of outputs) listFiles(join(base, output), base, files);
  return files;
}

test('the committed generated code is what the generator makes from the specs', (t) => {
  if (!existsSync(specs)) {
    t.skip(`Kafka spec folder ${specs} is absent (set SAMSA_KAFKA_SPECS); cannot regenerate`);
    return;
  }
  const out = mkdtempSync(join(tmpdir(), 'samsa-codegen-'));
  try {
    execFileSync(
      process.execPath,
      ['--import', 'tsx', 'tools/codegen/main.ts', '--specs', specs, '--out', out],
      {
        cwd: root,
        stdio: 'pipe',
      },
    );
    const fresh = snapshot(out);
    const committed = snapshot(root);
    assert.ok(fresh.size > 200, `only ${fresh.size} files generated`);
    const stale = [...committed.keys()].filter((path) => !fresh.has(path));
    const missing = [...fresh.keys()].filter((path) => !committed.has(path));
    const changed = [...fresh.keys()].filter(
      (path) => committed.has(path) && committed.get(path) !== fresh.get(path),
    );
    assert.deepEqual(
      { stale, missing, changed },
      { stale: [], missing: [], changed: [] },
      'generated code is out of date: run `npm run codegen` and commit the result',
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
