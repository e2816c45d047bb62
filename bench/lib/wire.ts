/**
 * A minimal Kafka wire client for load generation and end-to-end tests: one socket, pipelined
 * requests, responses matched in order (the broker answers in request order on a connection).
 *
 * Two ways to send:
 * - `request(api, version, body)` encodes with the generated codecs and decodes the response;
 * - `sendPrebuilt(prebuilt)` writes a request encoded once (see `prebuild`) with only its
 *   correlation id rewritten, and returns the raw response body: the load generator's hot path,
 *   which never re-encodes record batches.
 */
import { Socket } from 'node:net';
import { encodeRequestFrame, FrameDecoder, parseResponseHeader } from '../../src/protocol/frame.js';
import type { ApiDefinition } from '../../src/protocol/generated/api-keys.js';
import { Reader } from '../../src/protocol/primitives/reader.js';
import { Writer } from '../../src/protocol/primitives/writer.js';

/** Offset of the correlation id in a frame, size prefix included (size 4, key 2, version 2). */
const CORRELATION_ID_AT = 8;

/** A request encoded once: `head` (size prefix + request header) and the body chunks. */
export interface PrebuiltRequest {
  head: Buffer;
  body: Buffer[];
  bytes: number;
  responseHeaderVersion: 0 | 1;
  /** False for acks=0 Produce: the broker sends nothing back. */
  expectsResponse: boolean;
}

interface Pending {
  headerVersion: 0 | 1;
  resolve: (body: Buffer) => void;
  reject: (error: Error) => void;
}

export class ConnectionClosedError extends Error {
  constructor(message = 'connection closed') {
    super(message);
    this.name = 'ConnectionClosedError';
  }
}

/** Encodes a request once; send it many times with `WireConnection.sendPrebuilt`. */
export function prebuild<Request, Response>(
  api: ApiDefinition<Request, Response>,
  version: number,
  body: Request,
  options: { clientId?: string; expectsResponse?: boolean } = {},
): PrebuiltRequest {
  const writer = new Writer(256);
  api.request.encode(writer, body, version);
  const chunks = writer.chunks();
  const [head, ...rest] = encodeRequestFrame(
    {
      apiKey: api.apiKey,
      apiVersion: version,
      correlationId: 0,
      clientId: options.clientId ?? 'samsa-bench',
    },
    api.requestHeaderVersion(version),
    chunks,
  );
  let bytes = head!.length;
  for (const chunk of rest) bytes += chunk.length;
  return {
    head: head!,
    body: rest,
    bytes,
    responseHeaderVersion: api.responseHeaderVersion(version),
    expectsResponse: options.expectsResponse ?? true,
  };
}

export interface WireOptions {
  /**
   * Assemble response frames that span socket reads in one reused buffer instead of a new one per
   * frame: a response body is then valid only until the next socket read is handled, i.e. for a
   * caller that has one request in flight and is done with each response before awaiting again
   * (the consumer). Saves the allocation, and the garbage collections, of a 1 MiB frame per fetch.
   */
  reuseFrameBuffer?: boolean;
}

/**
 * Splits a stream into frame bodies like FrameDecoder, but a frame spanning reads is assembled in
 * a buffer that is reused for the next one (see WireOptions.reuseFrameBuffer).
 */
export class ReusingFrameAssembler {
  private scratch = Buffer.allocUnsafe(64 * 1024);
  /** Bytes of an incomplete frame (size prefix included) held in `scratch`. */
  private held = 0;

  *feed(chunk: Buffer): Generator<Buffer, void, undefined> {
    let at = 0;
    if (this.held > 0) {
      if (this.held < 4) {
        const take = Math.min(4 - this.held, chunk.length);
        chunk.copy(this.scratch, this.held, 0, take);
        this.held += take;
        at = take;
        if (this.held < 4) return;
      }
      const total = 4 + this.scratch.readInt32BE(0);
      if (this.scratch.length < total) {
        const grown = Buffer.allocUnsafe(total);
        this.scratch.copy(grown, 0, 0, this.held);
        this.scratch = grown;
      }
      const take = Math.min(total - this.held, chunk.length - at);
      chunk.copy(this.scratch, this.held, at, at + take);
      this.held += take;
      at += take;
      if (this.held < total) return;
      this.held = 0;
      const frame = this.scratch.subarray(4, total);
      // What follows in this chunk must not overwrite the frame just handed out.
      if (at < chunk.length) this.scratch = Buffer.allocUnsafe(this.scratch.length);
      yield frame;
    }
    while (chunk.length - at >= 4) {
      const total = 4 + chunk.readInt32BE(at);
      if (chunk.length - at < total) break;
      yield chunk.subarray(at + 4, at + total);
      at += total;
    }
    if (at < chunk.length) {
      const rest = chunk.length - at;
      if (this.scratch.length < rest) this.scratch = Buffer.allocUnsafe(rest);
      chunk.copy(this.scratch, 0, at);
      this.held = rest;
    }
  }
}

export class WireConnection {
  readonly socket: Socket;
  private readonly decoder: { feed(chunk: Buffer): Generator<Buffer, void, undefined> };
  private readonly pending: Pending[] = [];
  private pendingHead = 0;
  private nextCorrelationId = 1;
  private closedError: Error | undefined;

  private constructor(socket: Socket, options: WireOptions) {
    this.socket = socket;
    this.decoder = options.reuseFrameBuffer ? new ReusingFrameAssembler() : new FrameDecoder();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new ConnectionClosedError()));
  }

  static connect(
    host: string,
    port: number,
    timeoutMs = 10_000,
    options: WireOptions = {},
  ): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.connect(port, host, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new WireConnection(socket, options));
      });
    });
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.pending.length - this.pendingHead;
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  async request<Request, Response>(
    api: ApiDefinition<Request, Response>,
    version: number,
    body: Request,
  ): Promise<Response> {
    const raw = await this.sendPrebuilt(prebuild(api, version, body));
    return api.response.decode(new Reader(raw), version);
  }

  /** Writes a prebuilt request under a fresh correlation id; resolves with the response body. */
  sendPrebuilt(prebuilt: PrebuiltRequest): Promise<Buffer> {
    if (this.closedError) return Promise.reject(this.closedError);
    const head = Buffer.allocUnsafe(prebuilt.head.length);
    prebuilt.head.copy(head);
    const correlationId = this.nextCorrelationId++ & 0x7fffffff;
    head.writeInt32BE(correlationId, CORRELATION_ID_AT);
    this.socket.cork();
    this.socket.write(head);
    for (const chunk of prebuilt.body) this.socket.write(chunk);
    this.socket.uncork();
    if (!prebuilt.expectsResponse) return Promise.resolve(Buffer.alloc(0));
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.push({ headerVersion: prebuilt.responseHeaderVersion, resolve, reject });
    });
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    try {
      for (const frame of this.decoder.feed(chunk)) {
        const waiter = this.pending[this.pendingHead];
        if (!waiter) throw new Error('response without a pending request');
        this.pending[this.pendingHead++] = undefined as unknown as Pending;
        if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
          this.pending.splice(0, this.pendingHead);
          this.pendingHead = 0;
        }
        const header = parseResponseHeader(frame, waiter.headerVersion);
        waiter.resolve(frame.subarray(header.bodyOffset));
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
      this.socket.destroy();
    }
  }

  private fail(error: Error): void {
    if (this.closedError) return;
    this.closedError = error;
    for (let i = this.pendingHead; i < this.pending.length; i++) this.pending[i]!.reject(error);
    this.pending.length = 0;
    this.pendingHead = 0;
  }
}
