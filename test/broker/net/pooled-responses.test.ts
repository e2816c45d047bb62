import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { FrameHandler } from '../../../src/broker/net/handler.js';
import { encodeResponseFrame, parseRequestHeader } from '../../../src/protocol/frame.js';
import { BufferPool, handOver, isPooled } from '../../../src/util/buffer-pool.js';
import { eventually, startServer, TestClient } from './helpers.js';

/**
 * A response frame owns the pooled buffers handed over to it (records read for a Fetch): the
 * connection releases them once written, and not before, however long the client takes to read;
 * pooled bytes that were not handed over are never released by it.
 */
describe('pooled buffers in responses', async () => {
  const pool = new BufferPool({ minBytes: 1024, maxBufferBytes: 64 * 1024 * 1024 });
  const handedOut: Buffer[] = [];
  const handler: FrameHandler = (frame) => {
    const header = parseRequestHeader(frame, 1);
    const [command, argument] = frame.subarray(header.bodyOffset).toString().split(':');
    const body = pool.acquire(Number(argument));
    body.fill(0x61 + (handedOut.length % 26));
    handedOut.push(body);
    if (command === 'give') handOver(body);
    return encodeResponseFrame(header.correlationId, 0, [body]);
  };
  const { server, port } = await startServer({ handler });
  after(() => server.close(1000));

  test('a pooled piece is released once its frame has been written', async () => {
    const client = await TestClient.connect(port);
    client.send('give:4096');
    const [response] = await client.waitForResponses(1);
    assert.equal(response!.body, 'a'.repeat(4096));
    assert.ok(await eventually(() => !isPooled(handedOut[0]!)), 'released after the write');
    client.close();
  });

  test('pooled bytes not handed over to the frame are never released by it', async () => {
    const client = await TestClient.connect(port);
    client.send('keep:8192');
    const [response] = await client.waitForResponses(1);
    assert.equal(response!.body.length, 8192);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(isPooled(handedOut.at(-1)!), 'still owned by whoever kept it');
    client.close();
  });

  test('a frame the client has not read yet keeps its buffer; the bytes arrive intact', async () => {
    const client = await TestClient.connect(port);
    client.socket.pause();
    const size = 32 * 1024 * 1024; // more than the socket buffers hold
    client.send(`give:${size}`);
    await eventually(() => handedOut.length === 3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(isPooled(handedOut[2]!), 'not released while the write is pending');
    client.socket.resume();
    const [response] = await client.waitForResponses(1, 20_000);
    assert.equal(response!.body.length, size);
    assert.equal(response!.body, 'c'.repeat(size));
    assert.ok(await eventually(() => !isPooled(handedOut[2]!)));
    client.close();
  });
});
