import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { FrameHandler } from '../../../src/broker/net/handler.js';
import { encodeResponseFrame, parseRequestHeader } from '../../../src/protocol/frame.js';
import { BufferPool, isPooled } from '../../../src/util/buffer-pool.js';
import { eventually, startServer, TestClient } from './helpers.js';

/**
 * A response frame owns one reference of each pooled buffer in it (records read for a Fetch): the
 * connection releases them once written, and not before, however long the client takes to read.
 */
describe('pooled buffers in responses', async () => {
  const pool = new BufferPool({ minBytes: 1024, maxBufferBytes: 64 * 1024 * 1024 });
  const handedOut: Buffer[] = [];
  const handler: FrameHandler = (frame) => {
    const header = parseRequestHeader(frame, 1);
    const size = Number(frame.subarray(header.bodyOffset).toString());
    const body = pool.acquire(size);
    body.fill(0x61 + (handedOut.length % 26));
    handedOut.push(body);
    return encodeResponseFrame(header.correlationId, 0, [body]);
  };
  const { server, port } = await startServer({ handler });
  after(() => server.close(1000));

  test('a pooled piece is released once its frame has been written', async () => {
    const client = await TestClient.connect(port);
    client.send('4096');
    const [response] = await client.waitForResponses(1);
    assert.equal(response!.body, 'a'.repeat(4096));
    assert.ok(await eventually(() => !isPooled(handedOut[0]!)), 'released after the write');
    client.close();
  });

  test('a frame the client has not read yet keeps its buffer; the bytes arrive intact', async () => {
    const client = await TestClient.connect(port);
    client.socket.pause();
    const size = 32 * 1024 * 1024; // more than the socket buffers hold
    client.send(String(size));
    await eventually(() => handedOut.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(isPooled(handedOut[1]!), 'not released while the write is pending');
    client.socket.resume();
    const [response] = await client.waitForResponses(1, 20_000);
    assert.equal(response!.body.length, size);
    assert.equal(response!.body, 'b'.repeat(size));
    assert.ok(await eventually(() => !isPooled(handedOut[1]!)));
    client.close();
  });
});
