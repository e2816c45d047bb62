/**
 * A minimal Kafka client over a raw socket with Samsa's own codecs, for requests that real
 * clients would never send (corrupt batches, old versions, odd acks).
 */
import { Socket } from 'node:net';
import { encodeRequestFrame, FrameDecoder, parseResponseHeader } from '../../../src/protocol/frame.js';
import type { ApiDefinition } from '../../../src/protocol/generated/api-keys.js';
import { Reader } from '../../../src/protocol/primitives/reader.js';
import { Writer } from '../../../src/protocol/primitives/writer.js';

export class WireClient {
  private readonly socket = new Socket();
  private readonly decoder = new FrameDecoder();
  private correlationId = 0;
  private waiting: ((frame: Buffer) => void) | undefined;
  private failWaiting: ((error: Error) => void) | undefined;
  private readonly frames: Buffer[] = [];
  closed = false;

  private constructor() {
    this.socket.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (let frame = this.decoder.next(); frame !== null; frame = this.decoder.next()) {
        const copy = Buffer.from(frame);
        if (this.waiting) {
          const waiting = this.waiting;
          this.waiting = undefined;
          waiting(copy);
        } else {
          this.frames.push(copy);
        }
      }
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.failWaiting?.(new Error('connection closed'));
    });
  }

  static async connect(port: number, host = '127.0.0.1'): Promise<WireClient> {
    const client = new WireClient();
    await new Promise<void>((resolve, reject) => {
      client.socket.once('error', reject);
      client.socket.connect(port, host, () => {
        client.socket.off('error', reject);
        resolve();
      });
    });
    return client;
  }

  /** Sends `body` as `api` version `version` without waiting for an answer. */
  send<Request, Response>(api: ApiDefinition<Request, Response>, version: number, body: Request): number {
    const writer = new Writer();
    api.request.encode(writer, body, version);
    const correlationId = ++this.correlationId;
    const frame = encodeRequestFrame(
      { apiKey: api.apiKey, apiVersion: version, correlationId, clientId: 'wire-test' },
      api.requestHeaderVersion(version),
      writer.chunks(),
    );
    this.socket.write(Buffer.concat(frame));
    return correlationId;
  }

  /** Sends and decodes the answer (one request in flight at a time). */
  async request<Request, Response>(
    api: ApiDefinition<Request, Response>,
    version: number,
    body: Request,
  ): Promise<Response> {
    const correlationId = this.send(api, version, body);
    const frame = await this.nextFrame();
    const header = parseResponseHeader(frame, api.responseHeaderVersion(version));
    if (header.correlationId !== correlationId) {
      throw new Error(`correlation id ${header.correlationId}, expected ${correlationId}`);
    }
    return api.response.decode(new Reader(frame, header.bodyOffset), version);
  }

  private nextFrame(): Promise<Buffer> {
    const queued = this.frames.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new Error('connection closed'));
        return;
      }
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
