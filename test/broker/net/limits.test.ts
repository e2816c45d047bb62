import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FrameHandler } from '../../../src/broker/net/handler.js';
import { encodeResponseFrame, peekRequestApi } from '../../../src/protocol/frame.js';
import { commandHandler, eventually, requestFrame, sizePrefix, startServer, TestClient } from './helpers.js';

describe('invalid size prefixes', () => {
  for (const [name, size] of [
    ['oversized', 1025],
    ['negative', -5],
  ] as const) {
    test(`${name}: closes that connection after answering the requests before it; others keep working`, async () => {
      const { server, port } = await startServer({ handler: commandHandler(), maxRequestBytes: 1024 });
      try {
        const bad = await TestClient.connect(port);
        const good = await TestClient.connect(port);
        bad.write(Buffer.concat([...requestFrame(0, 'delay:30:ok'), sizePrefix(size), Buffer.alloc(64)]));
        await bad.closed;
        assert.deepEqual(
          bad.responses.map((r) => r.body),
          ['delay:30:ok'],
        );
        assert.equal(server.metrics.frameErrors, 1);
        good.send('echo:fine');
        assert.equal((await good.waitForResponses(1))[0]?.body, 'echo:fine');
        const again = await TestClient.connect(port);
        again.send('echo:new connection');
        assert.equal((await again.waitForResponses(1))[0]?.body, 'echo:new connection');
        good.close();
        again.close();
      } finally {
        await server.close(1000);
      }
    });
  }

  test('a request exactly at maxRequestBytes is accepted', async () => {
    const { server, port } = await startServer({ handler: commandHandler(), maxRequestBytes: 1024 });
    try {
      const client = await TestClient.connect(port);
      const header = requestFrame(0, '')[0]!.length - 4;
      client.send(`echo:${'x'.repeat(1024 - header - 5)}`);
      const [response] = await client.waitForResponses(1);
      assert.equal(response?.body.length, 1024 - header);
      client.close();
    } finally {
      await server.close(1000);
    }
  });
});

describe('idle timeout', () => {
  test('closes a connection without traffic, but not one waiting on a slow request', async () => {
    const { server, port } = await startServer({ handler: commandHandler(), idleTimeoutMs: 150 });
    try {
      const idle = await TestClient.connect(port);
      const busy = await TestClient.connect(port);
      const started = Date.now();
      busy.send('delay:400:slow');
      await idle.closed;
      const idleFor = Date.now() - started;
      assert.ok(idleFor >= 100 && idleFor < 1500, `closed after ${idleFor} ms`);
      const [response] = await busy.waitForResponses(1);
      assert.equal(response?.body, 'delay:400:slow');
      assert.ok(Date.now() - started >= 400);
      assert.equal(busy.isClosed, false, 'not closed while its request was in flight');
      await busy.closed; // and idles out afterwards
      assert.equal(server.metrics.idleTimeouts, 2);
    } finally {
      await server.close(1000);
    }
  });

  test('a request after no-response (null) requests still re-arms the idle clock', async () => {
    const { server, port } = await startServer({ handler: commandHandler(), idleTimeoutMs: 150 });
    try {
      const client = await TestClient.connect(port);
      for (let i = 0; i < 4; i++) {
        client.send('null');
        await sleep(80);
      }
      assert.equal(client.isClosed, false, 'traffic every 80 ms keeps it open');
      await client.closed;
    } finally {
      await server.close(1000);
    }
  });
});

describe('connection limit', () => {
  test('sockets beyond maxConnections are closed at once, and admitted again later', async () => {
    const { server, port } = await startServer({ handler: commandHandler(), maxConnections: 2 });
    try {
      const first = await TestClient.connect(port);
      const second = await TestClient.connect(port);
      assert.ok(await eventually(() => server.connectionCount === 2));
      const third = await TestClient.connect(port);
      third.send('echo:rejected');
      await third.closed;
      assert.deepEqual(third.responses, []);
      assert.equal(server.metrics.connectionsRejected, 1);
      first.close();
      assert.ok(await eventually(() => server.connectionCount === 1));
      const fourth = await TestClient.connect(port);
      fourth.send('echo:admitted');
      assert.equal((await fourth.waitForResponses(1))[0]?.body, 'echo:admitted');
      second.close();
      fourth.close();
    } finally {
      await server.close(1000);
    }
  });
});

describe('backpressure', () => {
  test('at most maxInFlightRequests handlers run at once per connection', async () => {
    const releases: (() => void)[] = [];
    let calls = 0;
    const handler: FrameHandler = (frame) => {
      calls++;
      const { correlationId } = peekRequestApi(frame);
      return new Promise((resolve) => {
        releases.push(() => resolve(encodeResponseFrame(correlationId, 0, [Buffer.from('ok')])));
      });
    };
    const { server, port } = await startServer({ handler, maxInFlightRequests: 8 });
    try {
      const client = await TestClient.connect(port);
      for (let i = 0; i < 100; i++) client.send('x');
      assert.ok(await eventually(() => calls === 8));
      await sleep(100);
      assert.equal(calls, 8, 'no more requests taken while 8 are pending');
      assert.ok(server.metrics.readPauses >= 1);
      // Release work as it arrives until every request has been handled.
      while (client.responses.length < 100) {
        for (const release of releases.splice(0)) release();
        await sleep(5);
      }
      assert.equal(calls, 100);
      assert.deepEqual(
        client.responses.map((r) => r.correlationId),
        Array.from({ length: 100 }, (_, i) => i),
      );
      client.close();
    } finally {
      await server.close(1000);
    }
  });

  test('a client that does not read stops the server reading; memory stays bounded', async () => {
    const responseBody = Buffer.alloc(256 * 1024, 0x61); // shared: what grows is queued references
    let calls = 0;
    const handler: FrameHandler = (frame) => {
      calls++;
      return encodeResponseFrame(peekRequestApi(frame).correlationId, 0, [responseBody]);
    };
    const { server, port } = await startServer({ handler, maxQueuedResponseBytes: 1024 * 1024 });
    const socket = connect({ host: '127.0.0.1', port });
    try {
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.pause(); // never read
      const total = 2000; // 500 MB of responses if the server kept going
      for (let i = 0; i < total; i++) for (const piece of requestFrame(i, 'x')) socket.write(piece);
      await sleep(300);
      const stalledAt = calls;
      await sleep(300);
      assert.equal(calls, stalledAt, 'the server stopped taking requests');
      // Kernel socket buffers absorb some responses; the rest must wait unread, not queued.
      assert.ok(stalledAt < 200, `handled ${stalledAt} of ${total} requests without the client reading`);
      assert.ok(server.metrics.readPauses >= 1);
      // Reading again lets everything through.
      let received = 0;
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      socket.resume();
      const expected = total * (8 + responseBody.length);
      assert.ok(await eventually(() => received === expected, 20_000), `received ${received} of ${expected}`);
      assert.equal(calls, total);
    } finally {
      socket.destroy();
      await server.close(1000);
    }
  });
});
