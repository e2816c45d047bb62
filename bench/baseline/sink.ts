/**
 * The raw baseline: what Node, loopback TCP and this disk allow, with no Kafka logic at all.
 *
 *   node --import tsx bench/baseline/sink.ts receive <null|write|fdatasync> <file>
 *     accepts the load generator's Produce frames, appends each whole frame to <file> and answers
 *     each with an 8-byte frame (size, correlation id). Writes are batched like group commit:
 *     everything received while the previous write (and fdatasync) ran is written with one
 *     writev, then (fdatasync mode) one fdatasync, then acknowledged. `null` acknowledges without
 *     touching the disk: the load generator's own ceiling.
 *   node --import tsx bench/baseline/sink.ts serve <file>
 *     streams <file> to each connection with positional 1 MiB reads, then closes it.
 *
 * Prints "listening on 127.0.0.1:<port>" once it accepts connections.
 */
import { closeSync, fdatasync, openSync, read, writev } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { FrameDecoder } from '../../src/protocol/frame.js';

type Mode = 'null' | 'write' | 'fdatasync';

const [command, ...rest] = process.argv.slice(2);

if (command === 'receive') {
  const mode = rest[0] as Mode;
  const path = rest[1]!;
  if (!['null', 'write', 'fdatasync'].includes(mode)) throw new Error(`unknown mode ${mode}`);
  receive(mode, path);
} else if (command === 'serve') {
  serve(rest[0]!);
} else {
  console.error('usage: sink.ts receive <null|write|fdatasync> <file> | serve <file>');
  process.exit(2);
}

function listen(onConnection: (socket: Socket) => void): void {
  const server = createServer({ noDelay: true }, onConnection);
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    console.log(`listening on 127.0.0.1:${address.port}`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

interface Waiting {
  socket: Socket;
  correlationId: number;
}

function receive(mode: Mode, path: string): void {
  const fd = mode === 'null' ? -1 : openSync(path, 'w');
  let position = 0;
  let queue: Buffer[] = [];
  let waiting: Waiting[] = [];
  let busy = false;

  const acknowledge = (batch: Waiting[]): void => {
    const bySocket = new Map<Socket, Waiting[]>();
    for (const entry of batch) {
      let list = bySocket.get(entry.socket);
      if (!list) bySocket.set(entry.socket, (list = []));
      list.push(entry);
    }
    for (const [socket, entries] of bySocket) {
      if (socket.destroyed) continue;
      const out = Buffer.allocUnsafe(entries.length * 8);
      entries.forEach((entry, index) => {
        out.writeInt32BE(4, index * 8);
        out.writeInt32BE(entry.correlationId, index * 8 + 4);
      });
      socket.write(out);
    }
  };

  const flush = (): void => {
    if (busy || waiting.length === 0) return;
    const buffers = queue;
    const batch = waiting;
    queue = [];
    waiting = [];
    if (mode === 'null') {
      acknowledge(batch);
      return;
    }
    busy = true;
    let bytes = 0;
    for (const buffer of buffers) bytes += buffer.length;
    writev(fd, buffers, position, (error) => {
      if (error) throw error;
      position += bytes;
      const done = (): void => {
        busy = false;
        acknowledge(batch);
        flush();
      };
      if (mode === 'fdatasync') {
        fdatasync(fd, (syncError) => {
          if (syncError) throw syncError;
          done();
        });
      } else {
        done();
      }
    });
  };

  listen((socket) => {
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.feed(chunk)) {
        queue.push(frame);
        waiting.push({ socket, correlationId: frame.readInt32BE(4) });
      }
      flush();
    });
    socket.on('error', () => socket.destroy());
  });
  process.on('exit', () => {
    if (fd >= 0) closeSync(fd);
  });
}

function serve(path: string): void {
  const CHUNK = 1 << 20;
  listen((socket) => {
    const fd = openSync(path, 'r');
    let position = 0;
    const next = (): void => {
      const buffer = Buffer.allocUnsafe(CHUNK);
      read(fd, buffer, 0, CHUNK, position, (error, bytesRead) => {
        if (error) throw error;
        if (bytesRead === 0) {
          closeSync(fd);
          socket.end();
          return;
        }
        position += bytesRead;
        if (socket.write(buffer.subarray(0, bytesRead))) next();
        else socket.once('drain', next);
      });
    };
    socket.on('error', () => socket.destroy());
    next();
  });
}
