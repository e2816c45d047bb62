/**
 * Kafka's framing, sans-io: every request and response on the wire is an int32 size followed by
 * that many bytes. A request frame opens with a request header, a response frame with a response
 * header (correlation id, plus tagged fields in header v1).
 *
 *   request header v0   api_key int16, api_version int16, correlation_id int32
 *   request header v1   v0 + client_id nullable string (int16 length)
 *   request header v2   v1 + tagged fields (the client id stays a non-compact string)
 *   response header v0  correlation_id int32
 *   response header v1  v0 + tagged fields
 *
 * Which header version a message uses depends on its API key and version (flexible versions use
 * the newer headers); that choice belongs to the router, which peeks at key and version first.
 */

import type { FramePiece } from '../util/file-region.js';
import { Reader, type TaggedField } from './primitives/reader.js';
import { Writer } from './primitives/writer.js';

/** Bytes of the int32 size in front of every frame. */
export const SIZE_PREFIX_BYTES = 4;

/** Kafka's `socket.request.max.bytes` default: the largest request frame a broker accepts. */
export const DEFAULT_MAX_FRAME_BYTES = 104_857_600;

/** Largest size an int32 prefix can express. */
const MAX_INT32 = 0x7fff_ffff;

export type FrameSizeErrorCode = 'ERR_FRAME_NEGATIVE_SIZE' | 'ERR_FRAME_TOO_LARGE';

/**
 * A size prefix that no valid frame can carry. The stream cannot be resynchronised after one, so
 * the connection must be closed (Kafka's InvalidReceiveException).
 */
export class FrameSizeError extends Error {
  readonly code: FrameSizeErrorCode;
  /** The declared size as read from the prefix. */
  readonly size: number;
  readonly maxFrameBytes: number;

  constructor(size: number, maxFrameBytes: number) {
    const negative = size < 0;
    super(
      negative
        ? `frame size ${size} is negative`
        : `frame size ${size} exceeds the maximum of ${maxFrameBytes} bytes`,
    );
    this.name = 'FrameSizeError';
    this.code = negative ? 'ERR_FRAME_NEGATIVE_SIZE' : 'ERR_FRAME_TOO_LARGE';
    this.size = size;
    this.maxFrameBytes = maxFrameBytes;
  }
}

export interface FrameDecoderOptions {
  /** Largest accepted frame body (the bytes after the prefix). Default 104857600. */
  maxFrameBytes?: number;
}

/**
 * Splits a byte stream into frames. Chunks are kept as they arrived until a frame is complete:
 * a frame that lies inside one chunk is returned as a view of it (no copy), one that spans chunks
 * is copied once into a buffer of exactly its size. The size prefix is validated as soon as its
 * four bytes are in, before any of the body is waited for, and the declared size is never
 * allocated up front, so a hostile prefix costs nothing.
 *
 * Frames are pulled one at a time with `next()`, which lets the caller stop pulling (and stop
 * reading its socket) when it has enough work in flight. After a `FrameSizeError` the decoder
 * stays failed: every later call throws the same error.
 *
 * Returned frames may share memory with the pushed chunks; a caller that keeps a frame for long
 * after handling it (rather than writing it out) should copy it.
 */
export class FrameDecoder {
  readonly maxFrameBytes: number;
  private chunks: Buffer[] = [];
  /** Index of the first chunk still holding unread bytes. */
  private head = 0;
  private buffered = 0;
  /** Body size of the frame being collected, or -1 while its prefix is incomplete. */
  private expected = -1;
  private failure: FrameSizeError | null = null;

  constructor(options: FrameDecoderOptions = {}) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isInteger(max) || max < 0 || max > MAX_INT32) {
      throw new RangeError(`maxFrameBytes must be an integer in [0, ${MAX_INT32}], got ${max}`);
    }
    this.maxFrameBytes = max;
  }

  /** Bytes received and not yet returned as frames (prefix bytes already consumed excluded). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** The declared body size of the frame being collected, or null while no prefix is complete. */
  get pendingFrameSize(): number | null {
    return this.expected < 0 ? null : this.expected;
  }

  /** Appends a chunk read from the stream. */
  push(chunk: Buffer): void {
    if (this.failure) throw this.failure;
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next complete frame body, or null until more bytes arrive. Throws FrameSizeError. */
  next(): Buffer | null {
    if (this.failure) throw this.failure;
    if (this.expected < 0) {
      if (this.buffered < SIZE_PREFIX_BYTES) return null;
      const size = this.take(SIZE_PREFIX_BYTES).readInt32BE(0);
      if (size < 0 || size > this.maxFrameBytes) {
        this.failure = new FrameSizeError(size, this.maxFrameBytes);
        this.release();
        throw this.failure;
      }
      this.expected = size;
    }
    if (this.buffered < this.expected) return null;
    const frame = this.take(this.expected);
    this.expected = -1;
    return frame;
  }

  /** Pushes a chunk and yields every frame it completes. */
  *feed(chunk: Buffer): Generator<Buffer, void, undefined> {
    this.push(chunk);
    for (let frame = this.next(); frame !== null; frame = this.next()) yield frame;
  }

  /** Removes `count` buffered bytes (count <= buffered): a view when one chunk holds them all. */
  private take(count: number): Buffer {
    if (count === 0) return Buffer.alloc(0);
    this.buffered -= count;
    const first = this.chunks[this.head]!;
    if (first.length >= count) {
      const piece = first.subarray(0, count);
      this.advance(first, count);
      return piece;
    }
    const out = Buffer.allocUnsafe(count);
    let filled = 0;
    while (filled < count) {
      const chunk = this.chunks[this.head]!;
      const used = Math.min(chunk.length, count - filled);
      chunk.copy(out, filled, 0, used);
      filled += used;
      this.advance(chunk, used);
    }
    return out;
  }

  private advance(chunk: Buffer, used: number): void {
    if (used < chunk.length) {
      this.chunks[this.head] = chunk.subarray(used);
      return;
    }
    this.head++;
    if (this.head === this.chunks.length) {
      this.chunks = [];
      this.head = 0;
    } else if (this.head >= 64 && this.head * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  private release(): void {
    this.chunks = [];
    this.head = 0;
    this.buffered = 0;
  }
}

/** What the router needs to choose a header version, readable from any request header. */
export interface RequestApi {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
}

export type RequestHeaderVersion = 0 | 1 | 2;
export type ResponseHeaderVersion = 0 | 1;

export interface RequestHeader extends RequestApi {
  /** Null in header v0 and when the client sent a null client id. */
  clientId: string | null;
  /** Empty before header v2. */
  taggedFields: TaggedField[];
  /** Where the request body starts in the frame. */
  bodyOffset: number;
}

/** Reads api key, api version and correlation id, which open every request header version. */
export function peekRequestApi(frame: Buffer): RequestApi {
  const reader = new Reader(frame);
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  return { apiKey, apiVersion, correlationId };
}

/** Parses a request header; throws ProtocolDecodeError on a truncated or malformed one. */
export function parseRequestHeader(frame: Buffer, headerVersion: RequestHeaderVersion): RequestHeader {
  const reader = new Reader(frame);
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  const clientId = headerVersion >= 1 ? reader.nullableString() : null;
  const taggedFields = headerVersion >= 2 ? reader.taggedFields() : [];
  return { apiKey, apiVersion, correlationId, clientId, taggedFields, bodyOffset: reader.offset };
}

function totalLength(chunks: readonly FramePiece[]): number {
  let total = 0;
  for (const chunk of chunks) total += chunk.length;
  return total;
}

function checkFrameSize(size: number): void {
  if (size > MAX_INT32) throw new RangeError(`frame of ${size} bytes does not fit an int32 size prefix`);
}

/**
 * A complete response frame: size prefix and response header in one small buffer, followed by the
 * body chunks themselves (not copied), ready for one vectored socket write.
 */
export function encodeResponseFrame<Piece extends FramePiece>(
  correlationId: number,
  headerVersion: ResponseHeaderVersion,
  body: readonly Piece[],
): (Buffer | Piece)[] {
  const headerBytes = headerVersion === 1 ? 5 : 4;
  const size = headerBytes + totalLength(body);
  checkFrameSize(size);
  const head = Buffer.allocUnsafe(SIZE_PREFIX_BYTES + headerBytes);
  head.writeInt32BE(size, 0);
  head.writeInt32BE(correlationId, 4);
  if (headerVersion === 1) head[8] = 0; // no tagged fields
  return [head, ...body];
}

export interface ResponseHeader {
  correlationId: number;
  taggedFields: TaggedField[];
  bodyOffset: number;
}

/** Parses a response header (the client side: replica fetchers, tools, tests). */
export function parseResponseHeader(frame: Buffer, headerVersion: ResponseHeaderVersion): ResponseHeader {
  const reader = new Reader(frame);
  const correlationId = reader.int32();
  const taggedFields = headerVersion === 1 ? reader.taggedFields() : [];
  return { correlationId, taggedFields, bodyOffset: reader.offset };
}

export interface RequestHeaderInit extends RequestApi {
  clientId?: string | null;
  taggedFields?: readonly TaggedField[];
}

/** A complete request frame (the client side), body chunks referenced rather than copied. */
export function encodeRequestFrame(
  header: RequestHeaderInit,
  headerVersion: RequestHeaderVersion,
  body: readonly Buffer[],
): Buffer[] {
  const writer = new Writer(64);
  writer.int32(0); // size, patched below
  writer.int16(header.apiKey).int16(header.apiVersion).int32(header.correlationId);
  if (headerVersion >= 1) writer.nullableString(header.clientId ?? null);
  if (headerVersion >= 2) writer.taggedFields(header.taggedFields ?? []);
  const head = writer.toBuffer();
  const size = head.length - SIZE_PREFIX_BYTES + totalLength(body);
  checkFrameSize(size);
  head.writeInt32BE(size, 0);
  return [head, ...body];
}
