import type { FramePiece } from '../../util/file-region.js';

/**
 * The contract between the network layer and the router. The network layer moves opaque frames:
 * it hands each request frame (without its size prefix) to the handler and writes back whatever
 * complete response frame the handler returns, in request order.
 */

/** Returned by a handler to close the connection once the responses before it are written. */
export const CLOSE_CONNECTION: unique symbol = Symbol('samsa.net.closeConnection');

/** A response to write, after which the connection is closed (e.g. a failed authentication). */
export interface RespondAndClose {
  readonly respondAndClose: readonly FramePiece[];
}

export function respondAndClose(frame: readonly FramePiece[]): RespondAndClose {
  return { respondAndClose: frame };
}

/**
 * - `FramePiece[]`: a complete response frame, size prefix included (see encodeResponseFrame).
 *   Buffers handed over to it (util/buffer-pool `handOver`) are released once the frame has been
 *   written; file regions (util/file-region, only where `sendsFiles`) once written or dropped;
 * - `null`: no response (acks=0 Produce); the request still keeps its place in the order;
 * - `CLOSE_CONNECTION` / `respondAndClose(...)`: close after the earlier responses (and this one).
 * A handler that throws or rejects closes the connection the same way.
 */
export type HandlerResult = readonly FramePiece[] | null | typeof CLOSE_CONNECTION | RespondAndClose;

/**
 * Handles one request frame (the bytes after the size prefix). The frame may be a view of a larger
 * socket read: copy what must outlive the request. Requests of one connection are dispatched
 * concurrently; responses are written in request order whatever order the handlers finish in.
 */
export type FrameHandler = (
  frame: Buffer,
  connection: ConnectionInfo,
) => HandlerResult | Promise<HandlerResult>;

export type CloseCallback = (connection: ConnectionInfo) => void;

/** What a handler knows about the connection a request came on. */
export interface ConnectionInfo {
  /** Unique for the life of the server: `local-remote-sequence`. */
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** Per-connection state owned by the layers above (SASL state, fetch sessions, client software). */
  readonly state: Map<string, unknown>;
  /**
   * Whether responses may carry file regions, sent with sendfile: a plain TCP socket on a
   * platform with util/sendfile, and the broker allowing it.
   */
  readonly sendsFiles: boolean;
  /** True once the connection is closing or closed: responses produced now are dropped. */
  readonly closed: boolean;
  /**
   * Runs `callback` once when the connection is gone (closed by either side, or destroyed).
   * Registering on a closed connection runs it on the next tick. Returns an unregister function.
   */
  onClose(callback: CloseCallback): () => void;
}
