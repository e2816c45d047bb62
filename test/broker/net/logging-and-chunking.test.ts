import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { pino } from 'pino';
import type { NetLogger } from '../../../src/broker/net/logger.js';
import { commandHandler, requestFrame, sizePrefix, startServer, TestClient } from './helpers.js';

describe('request streams arriving in arbitrary pieces over a real socket', () => {
  test('any chunking of a pipelined stream is answered completely and in order (property)', async () => {
    const { server, port } = await startServer({ handler: commandHandler() });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.string({ maxLength: 30 }), { minLength: 1, maxLength: 10 }),
          fc.array(fc.nat(), { maxLength: 12 }),
          async (texts, cuts) => {
            const stream = Buffer.concat(texts.flatMap((text, i) => requestFrame(i, `echo:${text}`)));
            const positions = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
            const client = await TestClient.connect(port);
            let start = 0;
            for (const position of [...positions, stream.length]) {
              client.write(stream.subarray(start, position));
              start = position;
              await sleep(1); // separate TCP segments, most of the time
            }
            const responses = await client.waitForResponses(texts.length);
            client.close();
            assert.deepEqual(
              responses.map((r) => r.body),
              texts.map((text) => `echo:${text}`),
            );
            assert.deepEqual(
              responses.map((r) => r.correlationId),
              texts.map((_, i) => i),
            );
          },
        ),
        { numRuns: 40 },
      );
    } finally {
      await server.close(1000);
    }
  });
});

describe('logging', () => {
  test('an invalid size prefix is logged with the connection and the size', async () => {
    const warnings: { fields: object; message: string | undefined }[] = [];
    const ignore = () => {};
    const logger: NetLogger = {
      debug: ignore,
      info: ignore,
      error: ignore,
      warn: (fields, message) => warnings.push({ fields, message }),
    };
    const { server, port } = await startServer({ handler: commandHandler(), logger, maxRequestBytes: 100 });
    try {
      const client = await TestClient.connect(port);
      client.write(sizePrefix(2 ** 31 - 1));
      await client.closed;
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!.message ?? '', /invalid request size/);
      assert.equal((warnings[0]!.fields as { size?: number }).size, 2 ** 31 - 1);
    } finally {
      await server.close(1000);
    }
  });

  test('a pino logger fits the NetLogger interface', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
    const { server, port } = await startServer({ handler: commandHandler(), logger });
    const client = await TestClient.connect(port);
    client.send('throw');
    await client.closed;
    await server.close(1000);
    const records = lines.map((line) => JSON.parse(line) as { msg: string });
    assert.ok(records.some((record) => /request handler failed/.test(record.msg)));
    assert.ok(records.some((record) => /listening/.test(record.msg)));
  });
});
