import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CLOSE_CONNECTION,
  type FrameHandler,
  type HandlerResult,
  respondAndClose,
} from '../../../src/broker/net/handler.js';
import { SocketServer, type SocketServerOptions } from '../../../src/broker/net/socket-server.js';
import {
  encodeRequestFrame,
  encodeResponseFrame,
  FrameDecoder,
  parseRequestHeader,
  parseResponseHeader,
} from '../../../src/protocol/frame.js';

export interface Response {
  correlationId: number;
  body: string;
}

/**
 * A raw Kafka-framed client for the tests: requests use header v1, responses header v0.
 * Responses are collected as they arrive; `closed` resolves when the server closes the socket.
 */
export class TestClient {
  readonly socket: Socket;
  readonly responses: Response[] = [];
  readonly closed: Promise<void>;
  isClosed = false;
  private readonly decoder = new FrameDecoder();
  private waiters: (() => void)[] = [];
  private nextCorrelationId = 0;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.feed(chunk)) {
        const header = parseResponseHeader(frame, 0);
        this.responses.push({
          correlationId: header.correlationId,
          body: frame.subarray(header.bodyOffset).toString(),
        });
      }
      this.wake();
    });
    socket.on('error', () => {}); // resets are expected in several tests
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      });
    });
  }

  static connect(port: number): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.off('error', reject);
        resolve(new TestClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Sends a request whose body is `command`; returns its correlation id. */
  send(command: string): number {
    const correlationId = this.nextCorrelationId++;
    for (const piece of requestFrame(correlationId, command)) this.socket.write(piece);
    return correlationId;
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Waits until `count` responses have arrived (or the socket closed, or the timeout). */
  async waitForResponses(count: number, timeoutMs = 5000): Promise<Response[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.responses.length < count && !this.isClosed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50).unref();
      });
    }
    return this.responses;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

export function requestFrame(correlationId: number, command: string): Buffer[] {
  return encodeRequestFrame({ apiKey: 0, apiVersion: 0, correlationId, clientId: 'test' }, 1, [
    Buffer.from(command),
  ]);
}

export function sizePrefix(size: number): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(size, 0);
  return prefix;
}

/**
 * A handler driven by the request body:
 *   `echo:x`      answers `echo:x` at once (synchronously)
 *   `delay:ms:x`  answers `delay:ms:x` after ms milliseconds
 *   `null`        no response
 *   `throw` / `reject`      fails synchronously / asynchronously
 *   `close`       CLOSE_CONNECTION; `bye` answers and then closes
 *   `invalid`     returns something that is not a HandlerResult (a string)
 * Every completion is recorded in `completed` (by body), in completion order.
 */
export function commandHandler(completed: string[] = []): FrameHandler {
  return (frame) => {
    const header = parseRequestHeader(frame, 1);
    const body = frame.subarray(header.bodyOffset).toString();
    const respond = () => encodeResponseFrame(header.correlationId, 0, [Buffer.from(body)]);
    const [command, argument] = body.split(':');
    switch (command) {
      case 'delay':
        return sleep(Number(argument)).then(() => {
          completed.push(body);
          return respond();
        });
      case 'null':
        completed.push(body);
        return null;
      case 'throw':
        throw new Error('handler failure');
      case 'reject':
        return Promise.reject(new Error('async handler failure'));
      case 'close':
        return CLOSE_CONNECTION;
      case 'bye':
        return respondAndClose(respond());
      case 'invalid':
        return body as unknown as HandlerResult;
      default:
        completed.push(body);
        return respond();
    }
  };
}

/** Starts a server on 127.0.0.1 with an ephemeral port. */
export async function startServer(
  options: Partial<SocketServerOptions> & Pick<SocketServerOptions, 'handler'>,
): Promise<{ server: SocketServer; port: number }> {
  const server = new SocketServer({ host: '127.0.0.1', port: 0, lingerMs: 200, ...options });
  const { port } = await server.listen();
  return { server, port };
}

/** Polls `condition` until it holds or the timeout passes; returns whether it held. */
export async function eventually(condition: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}
