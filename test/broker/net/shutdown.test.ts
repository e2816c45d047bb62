import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FrameHandler } from '../../../src/broker/net/handler.js';
import { commandHandler, eventually, startServer, TestClient } from './helpers.js';

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('graceful shutdown', () => {
  test('answers in-flight requests, stops accepting, then closes every socket', async () => {
    const { server, port } = await startServer({ handler: commandHandler() });
    const busy = await TestClient.connect(port);
    const quiet = await TestClient.connect(port);
    busy.send('delay:300:slow');
    busy.send('echo:queued behind it');
    assert.ok(await eventually(() => server.metrics.requests === 2));
    const started = Date.now();
    const closing = server.close(5000);
    assert.equal(await refused(port), true, 'no new connections once closing');
    await quiet.closed;
    assert.equal(busy.isClosed, false, 'the busy connection waits for its request');
    await closing;
    assert.ok(Date.now() - started >= 250, 'close waited for the slow request');
    await busy.closed;
    assert.deepEqual(
      busy.responses.map((r) => r.body),
      ['delay:300:slow', 'echo:queued behind it'],
    );
    assert.equal(server.connectionCount, 0);
    assert.equal(server.address, null);
  });

  test('requests sent after shutdown began are not taken', async () => {
    const { server, port } = await startServer({ handler: commandHandler() });
    const client = await TestClient.connect(port);
    client.send('delay:200:in flight');
    assert.ok(await eventually(() => server.metrics.requests === 1));
    const closing = server.close(5000);
    client.send('echo:too late');
    await closing;
    await client.closed;
    assert.deepEqual(
      client.responses.map((r) => r.body),
      ['delay:200:in flight'],
    );
    assert.equal(server.metrics.requests, 1);
  });

  test('a request that never finishes is cut off at the deadline', async () => {
    const handler: FrameHandler = () => new Promise(() => {});
    const { server, port } = await startServer({ handler });
    const client = await TestClient.connect(port);
    client.send('hang');
    assert.ok(await eventually(() => server.metrics.requests === 1));
    const started = Date.now();
    await server.close(200);
    const took = Date.now() - started;
    assert.ok(took >= 150 && took < 2000, `close took ${took} ms`);
    await client.closed;
    assert.equal(server.connectionCount, 0);
  });

  test('close() twice returns the same promise, and works before listen()', async () => {
    const { server } = await startServer({ handler: commandHandler() });
    const first = server.close(100);
    assert.equal(server.close(100), first);
    await first;
    const { SocketServer } = await import('../../../src/broker/net/socket-server.js');
    await new SocketServer({ port: 0, handler: commandHandler() }).close(100);
  });

  test('the process exits by itself after close(): no timer or handle is left behind', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/serve-and-close.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await new Promise<number | null>((resolve) =>
      child.on('exit', (exitCode) => resolve(exitCode)),
    );
    clearTimeout(timer);
    assert.equal(code, 0, `exit code ${code}, output: ${output}`);
    assert.match(output, /closed 1/);
  });
});
