/**
 * The raw baseline: what Node, loopback TCP and this disk allow, with no Kafka logic at all.
 *
 *   node --import tsx bench/baseline/sink.ts receive <null|write|fdatasync|dsync> <file> [files]
 *     accepts the load generator's Produce frames (v9), appends each whole frame to <file> and
 *     answers each with an 8-byte frame (size, correlation id). Writes are batched like group
 *     commit: everything received while the previous write (and fdatasync) ran is written with one
 *     writev, then (fdatasync mode) one fdatasync, then acknowledged. `dsync` opens the files
 *     with O_DSYNC instead, so the writev itself is synced, as Samsa's default
 *     `samsa.fsync.method` writes (bench/baseline/sink-ab.ts compares the modes; the benchmark's
 *     rows use fdatasync). With [files] > 1 each frame goes to <file>.<partition mod files>, each
 *     file with a group commit of its own, one write in flight per file, as a broker keeps one
 *     log per partition. `null` acknowledges without touching the disk: the load generator's own
 *     ceiling.
 *   node --import tsx bench/baseline/sink.ts serve <file>
 *     streams <file> to each connection with positional 1 MiB reads, then closes it.
 *
 * Prints "listening on 127.0.0.1:<port>" once it accepts connections.
 */
import { closeSync, constants, fdatasync, openSync, read, writev } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { FrameDecoder } from '../../src/protocol/frame.js';

type Mode = 'null' | 'write' | 'fdatasync' | 'dsync';

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

/** An unsigned varint at `at`: [value, offset after it]. */
function uvarint(frame: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = frame[at++]!;
    value |= (byte & 0x7f) << shift;
    if (byte < 0x80) return [value, at];
    shift += 7;
  }
}

/**
 * The first partition index of a Produce v9 frame (request header v2: api key, version,
 * correlation id, client id, tagged fields; then transactional id, acks, timeout, topics).
 */
function partitionOf(frame: Buffer): number {
  let at = 8;
  const clientIdLength = frame.readInt16BE(at);
  at += 2 + Math.max(0, clientIdLength);
  let skip: number;
  [, at] = uvarint(frame, at); // header tagged fields (none)
  [skip, at] = uvarint(frame, at); // transactional id, length + 1
  at += Math.max(0, skip - 1) + 2 + 4; // acks, timeout
  [, at] = uvarint(frame, at); // topic count + 1
  [skip, at] = uvarint(frame, at); // topic name, length + 1
  at += skip - 1;
  [, at] = uvarint(frame, at); // partition count + 1
  return frame.readInt32BE(at);
}

/** One file of the sink and its group commit: one write (and fdatasync) in flight at a time. */
class GroupCommitFile {
  private position = 0;
  private queue: Buffer[] = [];
  private waiting: Waiting[] = [];
  private busy = false;

  constructor(
    private readonly mode: Mode,
    private readonly fd: number,
  ) {}

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
  }

  add(frame: Buffer, socket: Socket): void {
    this.queue.push(frame);
    this.waiting.push({ socket, correlationId: frame.readInt32BE(4) });
  }

  flush(): void {
    if (this.busy || this.waiting.length === 0) return;
    const buffers = this.queue;
    const batch = this.waiting;
    this.queue = [];
    this.waiting = [];
    if (this.mode === 'null') {
      acknowledge(batch);
      return;
    }
    this.busy = true;
    let bytes = 0;
    for (const buffer of buffers) bytes += buffer.length;
    writev(this.fd, buffers, this.position, (error) => {
      if (error) throw error;
      this.position += bytes;
      const done = (): void => {
        this.busy = false;
        acknowledge(batch);
        this.flush();
      };
      if (this.mode === 'fdatasync') {
        fdatasync(this.fd, (syncError) => {
          if (syncError) throw syncError;
          done();
        });
      } else {
        done();
      }
    });
  }
}

function acknowledge(batch: Waiting[]): void {
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
}

function receive(mode: Mode, path: string, fileCount: number): void {
  const files = Array.from({ length: fileCount }, (_, index) => {
    const name = fileCount === 1 ? path : `${path}.${index}`;
    const flags =
      mode === 'dsync' ? constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DSYNC : 'w';
    const fd = mode === 'null' ? -1 : openSync(name, flags);
    return new GroupCommitFile(mode, fd);
  });
  const touched = new Set<GroupCommitFile>();

  listen((socket) => {
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.feed(chunk)) {
        const file = files[fileCount === 1 ? 0 : partitionOf(frame) % fileCount]!;
        file.add(frame, socket);
        touched.add(file);
      }
      for (const file of touched) file.flush();
      touched.clear();
    });
    socket.on('error', () => socket.destroy());
  });
  process.on('exit', () => {
    for (const file of files) file.close();
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

const [command, ...rest] = process.argv.slice(2);

if (command === 'receive') {
  const mode = rest[0] as Mode;
  const path = rest[1]!;
  const files = Number(rest[2] ?? '1');
  if (!['null', 'write', 'fdatasync', 'dsync'].includes(mode)) throw new Error(`unknown mode ${mode}`);
  if (!Number.isInteger(files) || files < 1) throw new Error(`bad file count ${rest[2]}`);
  receive(mode, path, files);
} else if (command === 'serve') {
  serve(rest[0]!);
} else {
  console.error('usage: sink.ts receive <null|write|fdatasync|dsync> <file> [files] | serve <file>');
  process.exit(2);
}
