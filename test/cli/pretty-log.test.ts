import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLogLine } from '../../src/cli/pretty-log.js';

test('pino JSON lines become one readable line each', () => {
  const line = JSON.stringify({
    level: 40,
    time: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
    pid: 1,
    hostname: 'h',
    msg: 'request for an unknown API key; closing',
    apiKey: 99,
    connection: '127.0.0.1:9092-127.0.0.1:5000-1',
    err: { type: 'Error', message: 'boom here', stack: 'Error: boom here\n at x' },
  });
  assert.equal(
    formatLogLine(line),
    '03:04:05.678 WARN  request for an unknown API key; closing apiKey=99 ' +
      'connection=127.0.0.1:9092-127.0.0.1:5000-1 err="boom here"\n',
  );
});

test('lines that are not JSON pass through unchanged', () => {
  assert.equal(formatLogLine('plain text'), 'plain text');
});
