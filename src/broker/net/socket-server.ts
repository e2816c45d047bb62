import { createServer, type Server, type Socket } from 'node:net';
import { DEFAULT_MAX_FRAME_BYTES } from '../../protocol/frame.js';
import { nativeFiles } from '../../util/sendfile.js';
import { Connection, type ConnectionLimits } from './connection.js';
import type { FrameHandler } from './handler.js';
import { type NetLogger, silentLogger } from './logger.js';
import { NetMetrics } from './metrics.js';

export interface SocketServerOptions {
  /** Interface to bind; default all IPv4 interfaces. */
  host?: string;
  /** 0 picks an ephemeral port; `listen()` reports the one chosen. */
  port: number;
  handler: FrameHandler;
  /** Kafka's socket.request.max.bytes. Default 104857600. */
  maxRequestBytes?: number;
  /** Kafka's max.connections. Sockets beyond it are closed at once. Default unlimited. */
  maxConnections?: number;
  /** Kafka's connections.max.idle.ms. Default 600000. */
  idleTimeoutMs?: number;
  /** Per connection: pending requests before reading pauses. Default 64. */
  maxInFlightRequests?: number;
  /** Per connection: unwritten response bytes before reading pauses. Default 16 MiB. */
  maxQueuedResponseBytes?: number;
  /** Per connection: how long a closing socket discards input waiting for the client's FIN. */
  lingerMs?: number;
  /** Let responses carry file regions, sent with sendfile where util/sendfile is available. */
  sendFiles?: boolean;
  logger?: NetLogger;
}

export interface BoundAddress {
  host: string;
  port: number;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 600_000;
export const DEFAULT_MAX_IN_FLIGHT_REQUESTS = 64;
export const DEFAULT_MAX_QUEUED_RESPONSE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_LINGER_MS = 2_000;
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;

function positiveInteger(name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0) && value !== Number.POSITIVE_INFINITY) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * The broker's TCP listener: accepts connections (up to a limit), gives each a `Connection` that
 * frames requests and writes responses in order, and shuts down gracefully. It knows nothing of
 * the requests themselves; the handler (the router) does.
 */
export class SocketServer {
  readonly metrics = new NetMetrics();
  private readonly options: SocketServerOptions;
  private readonly limits: ConnectionLimits;
  private readonly maxConnections: number;
  private readonly logger: NetLogger;
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private nextConnectionNumber = 0;
  private bound: BoundAddress | null = null;
  private closing: Promise<void> | null = null;

  constructor(options: SocketServerOptions) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    this.maxConnections = positiveInteger(
      'maxConnections',
      options.maxConnections ?? Number.POSITIVE_INFINITY,
    );
    this.limits = {
      maxRequestBytes: options.maxRequestBytes ?? DEFAULT_MAX_FRAME_BYTES,
      maxInFlightRequests: positiveInteger(
        'maxInFlightRequests',
        options.maxInFlightRequests ?? DEFAULT_MAX_IN_FLIGHT_REQUESTS,
      ),
      maxQueuedResponseBytes: positiveInteger(
        'maxQueuedResponseBytes',
        options.maxQueuedResponseBytes ?? DEFAULT_MAX_QUEUED_RESPONSE_BYTES,
      ),
      idleTimeoutMs: positiveInteger('idleTimeoutMs', options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS),
      lingerMs: positiveInteger('lingerMs', options.lingerMs ?? DEFAULT_LINGER_MS),
    };
    const native = options.sendFiles ? nativeFiles() : undefined;
    if (native !== undefined) this.limits.sendFiles = native;
    // Half-open sockets let a client that sends its requests and then shuts its side down still
    // receive the responses; the connection ends our side itself once they are written.
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: false }, (socket) =>
      this.accept(socket),
    );
    this.server.on('error', (error) => this.logger.error({ err: error }, 'socket server error'));
  }

  /** The bound address, once listening. */
  get address(): BoundAddress | null {
    return this.bound;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  listen(): Promise<BoundAddress> {
    if (this.bound) return Promise.resolve(this.bound);
    const host = this.options.host ?? '0.0.0.0';
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen({ host, port: this.options.port }, () => {
        this.server.off('error', onError);
        const address = this.server.address();
        if (address === null || typeof address === 'string') {
          reject(new Error(`unexpected server address ${String(address)}`));
          return;
        }
        this.bound = { host: address.address, port: address.port };
        this.logger.info({ host: address.address, port: address.port }, 'listening');
        resolve(this.bound);
      });
    });
  }

  /**
   * Stops accepting, lets every connection answer the requests it has already taken (no new ones
   * are read), then closes the sockets. Connections still busy after `drainTimeoutMs` are
   * destroyed. Leaves no timer or handle behind.
   */
  close(drainTimeoutMs = DEFAULT_DRAIN_TIMEOUT_MS): Promise<void> {
    this.closing ??= this.shutdown(drainTimeoutMs);
    return this.closing;
  }

  private async shutdown(drainTimeoutMs: number): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      // Calls back once every connection is gone; with an error when it was not listening.
      this.server.close(() => resolve());
    });
    for (const connection of this.connections) connection.shutdown('server shutting down');
    const drained = Promise.all([...this.connections].map((connection) => connection.whenClosed));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), drainTimeoutMs);
    });
    const outcome = await Promise.race([drained.then(() => 'drained' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.warn(
        { connections: this.connections.size, drainTimeoutMs },
        'connections still busy at the shutdown deadline, closing them',
      );
      for (const connection of this.connections) connection.destroy('shutdown deadline');
      await drained;
    }
    await stopped;
    this.bound = null;
    this.logger.info({}, 'socket server closed');
  }

  private accept(socket: Socket): void {
    if (this.closing !== null || this.connections.size >= this.maxConnections) {
      this.metrics.connectionsRejected++;
      this.logger.warn(
        { remoteAddress: socket.remoteAddress, maxConnections: this.maxConnections },
        this.closing ? 'connection refused: shutting down' : 'connection refused: too many connections',
      );
      socket.destroy();
      return;
    }
    if (socket.remoteAddress === undefined) {
      socket.destroy(); // already disconnected
      return;
    }
    const id = `${socket.localAddress}:${socket.localPort}-${socket.remoteAddress}:${socket.remotePort}-${this.nextConnectionNumber++}`;
    const connection = new Connection(
      socket,
      id,
      this.options.handler,
      this.limits,
      this.metrics,
      this.logger,
    );
    this.connections.add(connection);
    this.metrics.connectionsAccepted++;
    this.metrics.activeConnections = this.connections.size;
    connection.onClose(() => {
      this.connections.delete(connection);
      this.metrics.connectionsClosed++;
      this.metrics.activeConnections = this.connections.size;
    });
    this.logger.debug({ connection: id }, 'connection accepted');
    connection.start();
  }
}
