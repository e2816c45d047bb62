import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { ConnectionInfo } from '../../../src/broker/net/handler.js';
import type { SocketServer } from '../../../src/broker/net/socket-server.js';
import { encodeResponseFrame, parseRequestHeader } from '../../../src/protocol/frame.js';
import { commandHandler, eventually, requestFrame, startServer, TestClient } from './helpers.js';

describe('SocketServer request and response flow', async () => {
  const completed: string[] = [];
  const { server, port } = await startServer({ handler: commandHandler(completed) });
  after(() => server.close(1000));

  test('answers a request', async () => {
    const client = await TestClient.connect(port);
    const id = client.send('echo:hello');
    const [response] = await client.waitForResponses(1);
    assert.deepEqual(response, { correlationId: id, body: 'echo:hello' });
    client.close();
  });

  test('many frames in one write are all answered, in order', async () => {
    const client = await TestClient.connect(port);
    const frames = Array.from({ length: 300 }, (_, i) => requestFrame(i, `echo:${i}`)).flat();
    client.write(Buffer.concat(frames));
    const responses = await client.waitForResponses(300);
    assert.equal(responses.length, 300);
    for (const [i, response] of responses.entries()) {
      assert.deepEqual(response, { correlationId: i, body: `echo:${i}` });
    }
    client.close();
  });

  test('pipelined requests finishing out of order are answered in request order', async () => {
    completed.length = 0;
    const client = await TestClient.connect(port);
    client.send('delay:150:a');
    client.send('echo:b');
    client.send('delay:60:c');
    client.send('delay:10:d');
    const responses = await client.waitForResponses(4);
    assert.deepEqual(
      completed,
      ['echo:b', 'delay:10:d', 'delay:60:c', 'delay:150:a'],
      'finished out of order',
    );
    assert.deepEqual(
      responses.map((r) => r.correlationId),
      [0, 1, 2, 3],
    );
    assert.deepEqual(
      responses.map((r) => r.body),
      ['delay:150:a', 'echo:b', 'delay:60:c', 'delay:10:d'],
    );
    client.close();
  });

  test('null results write nothing but keep their place in the order', async () => {
    const client = await TestClient.connect(port);
    client.send('delay:80:first');
    client.send('null');
    client.send('echo:third');
    client.send('null');
    client.send('delay:20:fifth');
    const responses = await client.waitForResponses(3);
    // Give a stray response for the nulls a chance to show up.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(
      client.responses.map((r) => [r.correlationId, r.body]),
      [
        [0, 'delay:80:first'],
        [2, 'echo:third'],
        [4, 'delay:20:fifth'],
      ],
    );
    assert.equal(responses.length, 3);
    client.close();
  });

  test('a client that half-closes after sending still gets its responses', async () => {
    const client = await TestClient.connect(port);
    client.send('delay:50:x');
    client.send('echo:y');
    client.socket.end();
    await client.closed;
    assert.deepEqual(
      client.responses.map((r) => r.body),
      ['delay:50:x', 'echo:y'],
    );
  });
});

describe('responses settled together', async () => {
  // Like a group commit: every request waits on one write, which acknowledges them all at once.
  let openGate: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    openGate = resolve;
  });
  const { server, port } = await startServer({
    handler: async (frame) => {
      const header = parseRequestHeader(frame, 1);
      await gate;
      return encodeResponseFrame(header.correlationId, 0, [Buffer.from('ok')]);
    },
  });
  after(() => server.close(1000));

  test('go out in one socket write, in request order', async () => {
    const client = await TestClient.connect(port);
    client.write(Buffer.concat(Array.from({ length: 20 }, (_, i) => requestFrame(i, 'wait')).flat()));
    assert.ok(await eventually(() => server.metrics.requests === 20), 'all 20 requests dispatched');
    const writesBefore = server.metrics.responseWrites;
    openGate();
    const responses = await client.waitForResponses(20);
    assert.deepEqual(
      responses.map((r) => r.correlationId),
      Array.from({ length: 20 }, (_, i) => i),
    );
    assert.equal(server.metrics.responses, 20);
    assert.equal(server.metrics.responseWrites - writesBefore, 1);
    client.close();
  });
});

describe('closing a connection from the handler', async () => {
  const { server, port } = await startServer({ handler: commandHandler() });
  after(() => server.close(1000));

  for (const failure of ['throw', 'reject', 'close']) {
    test(`${failure}: earlier responses are sent, later ones dropped, other connections unaffected`, async () => {
      const victim = await TestClient.connect(port);
      const bystander = await TestClient.connect(port);
      victim.send('delay:40:before');
      victim.send(failure);
      victim.send('echo:after');
      bystander.send('delay:60:bystander');
      await victim.closed;
      assert.deepEqual(
        victim.responses.map((r) => r.body),
        ['delay:40:before'],
      );
      const [response] = await bystander.waitForResponses(1);
      assert.equal(response?.body, 'delay:60:bystander');
      assert.equal(bystander.isClosed, false);
      bystander.send('echo:still here');
      assert.equal((await bystander.waitForResponses(2))[1]?.body, 'echo:still here');
      bystander.close();
    });
  }

  test('respondAndClose sends its response, then closes', async () => {
    const client = await TestClient.connect(port);
    client.send('echo:one');
    client.send('bye');
    client.send('echo:never');
    await client.closed;
    assert.deepEqual(
      client.responses.map((r) => r.body),
      ['echo:one', 'bye'],
    );
  });

  test('an invalid handler result closes the connection after the responses before it', {
    timeout: 10_000,
  }, async () => {
    const client = await TestClient.connect(port);
    client.send('delay:30:first');
    client.send('invalid');
    client.send('echo:never');
    await client.closed;
    assert.deepEqual(
      client.responses.map((r) => r.body),
      ['delay:30:first'],
    );
  });

  test('handler failures are counted', () => {
    assert.ok(server.metrics.handlerErrors >= 2, `handlerErrors ${server.metrics.handlerErrors}`);
  });
});

describe('ConnectionInfo', async () => {
  let seen: ConnectionInfo | undefined;
  const closedIds: string[] = [];
  let server: SocketServer;
  const started = await startServer({
    handler: (_frame, connection) => {
      seen = connection;
      const count = ((connection.state.get('count') as number | undefined) ?? 0) + 1;
      connection.state.set('count', count);
      if (count === 1) connection.onClose((info) => closedIds.push(info.id));
      return null;
    },
  });
  server = started.server;
  after(() => server.close(1000));

  test('carries addresses and per-connection state, and runs close callbacks', async () => {
    const client = await TestClient.connect(started.port);
    client.send('a');
    client.send('b');
    assert.ok(await eventually(() => seen?.state.get('count') === 2));
    const info = seen!;
    assert.equal(info.remoteAddress, '127.0.0.1');
    assert.equal(info.remotePort, client.socket.localPort);
    assert.equal(info.localPort, started.port);
    assert.match(info.id, /^127\.0\.0\.1:\d+-127\.0\.0\.1:\d+-\d+$/);
    assert.equal(info.closed, false);
    assert.equal(server.connectionCount, 1);
    client.close();
    assert.ok(await eventually(() => closedIds.length === 1));
    assert.deepEqual(closedIds, [info.id]);
    assert.equal(info.closed, true);
    assert.ok(await eventually(() => server.connectionCount === 0));
    let late = false;
    info.onClose(() => {
      late = true;
    });
    assert.ok(await eventually(() => late), 'a callback registered after close still runs');
  });

  test('metrics count connections, requests and bytes', () => {
    const metrics = server.metrics;
    assert.equal(metrics.connectionsAccepted, 1);
    assert.equal(metrics.connectionsClosed, 1);
    assert.equal(metrics.activeConnections, 0);
    assert.equal(metrics.requests, 2);
    assert.equal(metrics.responses, 0);
    assert.equal(metrics.bytesIn, 2 * requestFrame(0, 'a').reduce((n, b) => n + b.length, 0));
    assert.equal(metrics.bytesOut, 0);
  });
});
