import type { Socket } from 'node:net';
import { FrameDecoder, FrameSizeError } from '../../protocol/frame.js';
import { releaseHandedOver } from '../../util/buffer-pool.js';
import { FileRegion, type FramePiece, releaseRegions } from '../../util/file-region.js';
import { closeDescriptor, type NativeFiles } from '../../util/sendfile.js';
import {
  CLOSE_CONNECTION,
  type CloseCallback,
  type ConnectionInfo,
  type FrameHandler,
  type HandlerResult,
} from './handler.js';
import type { NetLogger } from './logger.js';
import type { NetMetrics } from './metrics.js';

export interface ConnectionLimits {
  /** Largest request frame accepted (Kafka's socket.request.max.bytes). */
  maxRequestBytes: number;
  /** Requests dispatched whose responses are not yet written, before reading pauses. */
  maxInFlightRequests: number;
  /** Response bytes waiting (in order or in the socket's buffer), before reading pauses. */
  maxQueuedResponseBytes: number;
  /** Close after this long without traffic and with nothing in flight. */
  idleTimeoutMs: number;
  /** After our FIN, how long to keep discarding input before closing (see `finishEnd`). */
  lingerMs: number;
  /** The native calls for sending file regions; undefined: responses carry none. */
  sendFiles?: NativeFiles;
}

/** One request in arrival order; its response is written when every earlier one has been. */
interface Slot {
  settled: boolean;
  frame: readonly FramePiece[] | null;
  bytes: number;
  /** Set when the connection closes after this slot's response (if any). */
  closeReason: string | null;
}

function isThenable(value: unknown): value is PromiseLike<HandlerResult> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Once a frame is written, the pooled buffers handed over to it (records read for a Fetch) go
 * back to their pool (see util/buffer-pool). After a failed write they are left to the garbage
 * collector, in case the socket still referred to them.
 */
function releaseFrame(frame: readonly FramePiece[], error: Error | null | undefined): void {
  releaseRegions(frame);
  if (error) return;
  for (const piece of frame) if (Buffer.isBuffer(piece)) releaseHandedOver(piece);
}

function holdsRegion(frame: readonly FramePiece[]): boolean {
  for (const piece of frame) if (piece instanceof FileRegion) return true;
  return false;
}

/** What a handler's result asks for: a frame to write (or none), then whether to close; null if invalid. */
function outcomeOf(result: HandlerResult): { frame: readonly FramePiece[] | null; close: boolean } | null {
  if (result === null) return { frame: null, close: false };
  if (result === CLOSE_CONNECTION) return { frame: null, close: true };
  if (Array.isArray(result)) return { frame: result as readonly FramePiece[], close: false };
  if (typeof result === 'object' && 'respondAndClose' in result && Array.isArray(result.respondAndClose)) {
    return { frame: result.respondAndClose, close: true };
  }
  return null;
}

/** The descriptor of a TCP socket (Node keeps it on the socket's internal handle). */
function socketDescriptor(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } | null })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

function frameLength(frame: readonly FramePiece[]): number {
  let total = 0;
  for (const piece of frame) total += piece.length;
  return total;
}

/**
 * One client socket. Requests are dispatched as soon as they are framed, so a slow request (a
 * long-poll Fetch) does not hold back the ones behind it; responses go out strictly in request
 * order. Reading pauses while too many requests or response bytes are pending, and resumes as they
 * drain, so a client that sends without reading cannot make the broker buffer without bound.
 *
 * A response may hold file regions (util/file-region, only where `sendsFiles`): it is written
 * with sendfile after everything before it, and nothing after it is written until it is done
 * (`sendWithRegions`).
 *
 * Closing is graceful unless the socket is already broken: no request after the close point is
 * dispatched, responses before it are written, then our side is ended (FIN) and the input is
 * discarded for a short linger, so that a final response is not lost to a reset caused by unread
 * input.
 */
export class Connection implements ConnectionInfo {
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly state = new Map<string, unknown>();
  /** Resolves once the socket is closed. */
  readonly whenClosed: Promise<void>;

  private readonly socket: Socket;
  private readonly handler: FrameHandler;
  private readonly limits: ConnectionLimits;
  private readonly metrics: NetMetrics;
  private readonly logger: NetLogger;
  private readonly decoder: FrameDecoder;

  private slots: (Slot | undefined)[] = [];
  private head = 0;
  /** Bytes of settled responses waiting behind an unsettled one or for 'drain'. */
  private queuedBytes = 0;
  private readPaused = false;
  private pumping = false;
  private waitingForDrain = false;
  /** A frame with file regions is being sent: nothing else is written until it is done. */
  private sendingFile = false;
  /** Bytes of that frame not yet handed to the kernel, counted against maxQueuedResponseBytes. */
  private fileBytesInFlight = 0;
  /** A flush is queued for the end of this tick (see `scheduleFlush`). */
  private flushScheduled = false;
  /** Set once no more requests will be dispatched. */
  private closeReason: string | null = null;
  /** Set once our side has been ended: nothing more is written. */
  private ending = false;
  private gone = false;
  /** The idle timer fired while requests were pending; re-arm it once they are done. */
  private idleDeferred = false;
  private readonly closeCallbacks = new Set<CloseCallback>();
  private resolveClosed!: () => void;

  constructor(
    socket: Socket,
    id: string,
    handler: FrameHandler,
    limits: ConnectionLimits,
    metrics: NetMetrics,
    logger: NetLogger,
  ) {
    this.socket = socket;
    this.id = id;
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = socket.localAddress ?? '';
    this.localPort = socket.localPort ?? 0;
    this.handler = handler;
    this.limits = limits;
    this.metrics = metrics;
    this.logger = logger;
    this.decoder = new FrameDecoder({ maxFrameBytes: limits.maxRequestBytes });
    this.whenClosed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
  }

  get closed(): boolean {
    return this.ending || this.gone;
  }

  get sendsFiles(): boolean {
    return this.limits.sendFiles !== undefined && socketDescriptor(this.socket) !== undefined;
  }

  /** Requests dispatched whose responses (or null results) have not yet been written. */
  get pendingRequests(): number {
    return this.slots.length - this.head;
  }

  get readingPaused(): boolean {
    return this.readPaused;
  }

  onClose(callback: CloseCallback): () => void {
    if (this.gone) {
      process.nextTick(() => this.runCloseCallback(callback));
      return () => {};
    }
    this.closeCallbacks.add(callback);
    return () => {
      this.closeCallbacks.delete(callback);
    };
  }

  start(): void {
    const socket = this.socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    socket.setTimeout(this.limits.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.beginClose('client closed its side'));
    socket.on('drain', () => {
      this.waitingForDrain = false;
      this.flush();
      this.pump();
    });
    socket.on('timeout', () => this.onTimeout());
    socket.on('error', (error) => {
      this.logger.debug({ err: error, connection: this.id }, 'socket error');
    });
    socket.on('close', () => this.onSocketClosed());
  }

  /** Stops taking requests; closes once the pending ones are answered. */
  shutdown(reason: string): void {
    this.beginClose(reason);
  }

  /** Closes at once, dropping pending responses. */
  destroy(reason: string): void {
    if (this.gone) return;
    this.closeReason ??= reason;
    this.logger.debug({ connection: this.id, reason }, 'destroying connection');
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.metrics.bytesIn += chunk.length;
    if (this.closeReason !== null) return; // input after the close point is discarded
    this.decoder.push(chunk);
    this.pump();
  }

  private overLimit(): boolean {
    return (
      this.slots.length - this.head >= this.limits.maxInFlightRequests ||
      this.queuedBytes + this.fileBytesInFlight + this.socket.writableLength >=
        this.limits.maxQueuedResponseBytes
    );
  }

  /** Dispatches buffered frames while under the limits, then pauses or resumes reading. */
  private pump(): void {
    if (this.pumping || this.gone) return;
    this.pumping = true;
    try {
      while (this.closeReason === null && !this.overLimit()) {
        let frame: Buffer | null;
        try {
          frame = this.decoder.next();
        } catch (error) {
          this.onFrameError(error);
          break;
        }
        if (frame === null) break;
        this.dispatch(frame);
      }
    } finally {
      this.pumping = false;
    }
    this.updateReading();
  }

  private updateReading(): void {
    if (this.ending || this.gone) return;
    const shouldRead = this.closeReason === null && !this.overLimit();
    if (shouldRead && this.readPaused) {
      this.readPaused = false;
      this.socket.resume();
    } else if (!shouldRead && !this.readPaused) {
      this.readPaused = true;
      this.socket.pause();
      if (this.closeReason === null) this.metrics.readPauses++;
    }
  }

  private dispatch(frame: Buffer): void {
    this.metrics.requests++;
    const slot: Slot = { settled: false, frame: null, bytes: 0, closeReason: null };
    this.slots.push(slot);
    let result: HandlerResult | Promise<HandlerResult>;
    try {
      result = this.handler(frame, this);
    } catch (error) {
      this.settleWithError(slot, error);
      return;
    }
    if (isThenable(result)) {
      result.then(
        (value) => this.settle(slot, value),
        (error: unknown) => this.settleWithError(slot, error),
      );
    } else {
      this.settle(slot, result);
    }
  }

  private settleWithError(slot: Slot, error: unknown): void {
    this.metrics.handlerErrors++;
    this.logger.warn({ err: error, connection: this.id }, 'request handler failed, closing the connection');
    this.settle(slot, CLOSE_CONNECTION, 'request handler failed');
  }

  private settle(slot: Slot, result: HandlerResult, reason = 'handler closed the connection'): void {
    if (slot.settled) return;
    slot.settled = true;
    const outcome = outcomeOf(result);
    if (this.ending || this.gone) {
      // the slot was dropped with the rest of the queue
      if (outcome?.frame) releaseRegions(outcome.frame);
      return;
    }
    if (outcome === null) {
      this.logger.error({ connection: this.id }, 'request handler returned an invalid result');
      slot.closeReason = 'invalid handler result';
    } else {
      // a null frame (acks=0 Produce) still holds its place in the order
      slot.frame = outcome.frame;
      if (outcome.close) slot.closeReason = reason;
    }
    if (slot.frame !== null) {
      slot.bytes = frameLength(slot.frame);
      this.queuedBytes += slot.bytes;
    }
    this.scheduleFlush();
  }

  /**
   * Responses settled in the same tick go out in one write: a group commit acknowledges many
   * Produce requests at once, and one `writev` for all of them costs one trip through the TCP
   * stack instead of one per response. The flush runs once the current callback and its
   * microtasks are done (`process.nextTick` queued from a microtask runs after the queue drains).
   */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    process.nextTick(() => {
      this.flushScheduled = false;
      this.flush();
      this.pump();
    });
  }

  /** Writes settled responses at the head of the queue, in order, until one is unsettled. */
  private flush(): void {
    if (this.ending || this.gone) return;
    let corked = false;
    let closeNow = false;
    while (!this.waitingForDrain && !this.sendingFile && this.head < this.slots.length) {
      const slot = this.slots[this.head]!;
      if (!slot.settled) break;
      this.slots[this.head++] = undefined;
      this.queuedBytes -= slot.bytes;
      if (slot.frame !== null && holdsRegion(slot.frame)) {
        // Written in order after what is queued; flushing resumes once it is all sent.
        if (corked) {
          this.socket.uncork();
          this.metrics.responseWrites++;
          corked = false;
        }
        const closeAfter = slot.closeReason !== null;
        if (closeAfter) this.closeReason ??= slot.closeReason;
        this.metrics.responses++;
        this.metrics.bytesOut += slot.bytes;
        void this.sendWithRegions(slot.frame, slot.bytes, closeAfter);
        break;
      }
      if (slot.frame !== null) {
        if (!corked) {
          this.socket.cork();
          corked = true;
        }
        const frame = slot.frame as readonly Buffer[]; // no regions (see above)
        const last = frame.length - 1;
        for (let i = 0; i < last; i++) {
          if (!this.socket.write(frame[i]!)) this.waitingForDrain = true;
        }
        if (last >= 0 && !this.socket.write(frame[last]!, (error) => releaseFrame(frame, error))) {
          this.waitingForDrain = true;
        }
        this.metrics.responses++;
        this.metrics.bytesOut += slot.bytes;
      }
      if (slot.closeReason !== null) {
        this.closeReason ??= slot.closeReason;
        closeNow = true;
        break;
      }
    }
    if (corked) {
      this.socket.uncork();
      this.metrics.responseWrites++;
    }
    if (this.head === this.slots.length) {
      this.slots = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.slots.length) {
      this.slots = this.slots.slice(this.head);
      this.head = 0;
    }
    if (this.sendingFile) return; // the send finishes what follows
    if (closeNow || (this.closeReason !== null && this.pendingRequests === 0)) {
      this.end();
    } else if (this.idleDeferred && this.pendingRequests === 0) {
      this.idleDeferred = false;
      this.socket.setTimeout(this.limits.idleTimeoutMs); // restarts the idle clock
    }
  }

  /**
   * Writes a frame holding file regions: its Buffers through the socket as usual, each region,
   * once everything before it has reached the kernel, with sendfile on a descriptor of our own
   * (so that a socket closed meanwhile cannot have its number reused under the send). A failure
   * part way leaves the client with a broken response: the connection is destroyed. With
   * `closeAfter` (respondAndClose) the connection then ends, as after any closing response: the
   * responses queued behind it are dropped.
   */
  private async sendWithRegions(
    frame: readonly FramePiece[],
    bytes: number,
    closeAfter: boolean,
  ): Promise<void> {
    const native = this.limits.sendFiles!;
    this.sendingFile = true;
    this.fileBytesInFlight = bytes;
    let socketFd: number | undefined;
    let failed = false;
    try {
      let index = 0;
      while (index < frame.length) {
        let end = index;
        while (end < frame.length && Buffer.isBuffer(frame[end])) end++;
        if (end > index) {
          await this.writeBuffers(frame.slice(index, end) as Buffer[]);
          for (let i = index; i < end; i++) this.fileBytesInFlight -= frame[i]!.length;
        }
        if (end === frame.length) break;
        const region = frame[end] as FileRegion;
        if (this.gone || this.ending) throw new Error('the connection closed during the send');
        if (socketFd === undefined) {
          const fd = socketDescriptor(this.socket);
          if (fd === undefined) throw new Error('the socket has no descriptor');
          socketFd = native.duplicate(fd);
        }
        await native.sendFile(socketFd, region.fd, region.position, region.length, () => this.gone);
        region.release();
        this.fileBytesInFlight -= region.length;
        this.metrics.fileRegionsSent++;
        this.metrics.fileBytesSent += region.length;
        index = end + 1;
      }
    } catch (error) {
      failed = true;
      this.metrics.fileSendFailures++;
      if (!this.gone) {
        this.logger.warn(
          { err: error, connection: this.id },
          'sending a response from a file failed, closing',
        );
        this.socket.destroy();
      }
    } finally {
      if (socketFd !== undefined) closeDescriptor(socketFd);
      releaseFrame(frame, failed ? new Error('not sent') : null);
      this.sendingFile = false;
      this.fileBytesInFlight = 0;
    }
    if (this.gone) return;
    if (closeAfter) {
      this.end();
    } else {
      this.flush();
      this.pump();
    }
  }

  /** Writes `buffers` and resolves once the socket has handed them (and all before) to the kernel. */
  private writeBuffers(buffers: readonly Buffer[]): Promise<void> {
    if (this.gone) return Promise.reject(new Error('the connection closed during the send'));
    return new Promise((resolve, reject) => {
      // A socket destroyed with the write pending may never call back: its close settles it.
      const onClose = () => reject(new Error('the connection closed during the send'));
      this.socket.once('close', onClose);
      this.socket.cork();
      const last = buffers.length - 1;
      for (let i = 0; i < last; i++) this.socket.write(buffers[i]!);
      this.socket.write(buffers[last]!, (error) => {
        this.socket.off('close', onClose);
        if (error) reject(error);
        else resolve();
      });
      this.socket.uncork();
      this.metrics.responseWrites++;
      // Taken by the kernel at once (the usual case): no need to wait for the callback.
      if (this.socket.writableLength === 0) {
        this.socket.off('close', onClose);
        resolve();
      }
    });
  }

  private beginClose(reason: string): void {
    if (this.ending || this.gone) return;
    this.closeReason ??= reason;
    this.updateReading();
    if (this.pendingRequests === 0 && !this.sendingFile) this.end();
  }

  /** Releases the file regions of responses that will not be written. */
  private dropQueue(): void {
    for (let i = this.head; i < this.slots.length; i++) {
      const frame = this.slots[i]?.frame;
      if (frame) releaseRegions(frame);
    }
    this.slots = [];
    this.head = 0;
    this.queuedBytes = 0;
  }

  /**
   * Ends our side once everything before the close point is written. Pending handlers past it are
   * dropped. Then the input is drained for `lingerMs`: closing a socket with unread input makes
   * the kernel send a reset, which can destroy our last response before the client reads it.
   */
  private end(): void {
    if (this.ending || this.gone) return;
    this.ending = true;
    this.dropQueue();
    this.logger.debug({ connection: this.id, reason: this.closeReason }, 'closing connection');
    this.socket.once('finish', () => {
      this.socket.setTimeout(this.limits.lingerMs);
      this.socket.resume();
    });
    this.socket.end();
  }

  private onTimeout(): void {
    if (this.ending) {
      this.destroy('close timed out');
      return;
    }
    if (this.pendingRequests > 0 || this.sendingFile) {
      this.idleDeferred = true; // a long poll or a file being sent is not idleness
      return;
    }
    this.metrics.idleTimeouts++;
    this.logger.info(
      { connection: this.id, idleTimeoutMs: this.limits.idleTimeoutMs },
      'closing idle connection',
    );
    this.closeReason ??= 'idle timeout';
    // Output stuck in the socket means the client is not reading: no point waiting for it.
    if (this.socket.writableLength > 0) this.destroy('idle timeout');
    else this.end();
  }

  private onFrameError(error: unknown): void {
    this.metrics.frameErrors++;
    if (error instanceof FrameSizeError) {
      this.logger.warn(
        {
          connection: this.id,
          remoteAddress: this.remoteAddress,
          size: error.size,
          maxRequestBytes: error.maxFrameBytes,
        },
        'invalid request size, closing the connection',
      );
    } else {
      this.logger.warn(
        { err: error, connection: this.id },
        'unreadable request frame, closing the connection',
      );
    }
    this.beginClose('invalid frame');
  }

  private onSocketClosed(): void {
    this.gone = true;
    this.closeReason ??= 'connection lost';
    this.dropQueue();
    const callbacks = [...this.closeCallbacks];
    this.closeCallbacks.clear();
    for (const callback of callbacks) this.runCloseCallback(callback);
    this.resolveClosed();
  }

  private runCloseCallback(callback: CloseCallback): void {
    try {
      callback(this);
    } catch (error) {
      this.logger.error({ err: error, connection: this.id }, 'connection close callback failed');
    }
  }
}
