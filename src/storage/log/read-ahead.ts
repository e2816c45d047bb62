import { BATCH_HEADER_SIZE, batchHeader } from '../../protocol/records/batch-header.js';
import { releaseBuffer, retainBuffer } from '../../util/buffer-pool.js';
import { type BatchLocation, planRead, wholeBatchesLength } from './batch-scan.js';
import type { LogSegment } from './log-segment.js';

/**
 * Read-ahead for sequential consumers. A consumer keeps one fetch in flight, so without it every
 * fetch waits for its own positional reads; with it, once a fetch of a partition has been
 * answered, the next chunk of that partition is read while the response travels and the consumer
 * works, and the next fetch takes its bytes from memory.
 *
 * The bytes served are always those a fresh read would return: a chunk only answers the
 * questions a read asks of a segment (where is the batch holding offset X, which bytes lie in
 * [position, position + n)) when it holds every byte the answer depends on, and the read goes to
 * the segment otherwise. A chunk belongs to one segment object and one of its generations
 * (`LogSegment.generation` moves when the file is cut back: truncation, recovery), so segment
 * deletion, retention and DeleteRecords (the segment leaves the list, or reads below the log
 * start are refused first) and compaction (the cleaned segment is a new object) never let it
 * answer for bytes that changed. Bytes above a segment's current size are never served: a chunk
 * is read from what the segment held then, and a read of more than the chunk holds goes to the
 * file.
 *
 * A consumer that has caught up waits (long poll) at the log end for the next append; the
 * append's own bytes become its stream's chunk (`offerAppended`), so the woken fetch needs no
 * disk read at all.
 *
 * Sequential detection: a log keeps a few streams, each the offset some consumer should fetch
 * next. A fetch at a stream's offset continues it and, once answered, reads ahead; any other
 * fetch starts a new stream without reading ahead (random reads cost nothing extra).
 *
 * Chunks are pooled buffers (util/buffer-pool): a view served from one is one more owner of it,
 * so the chunk can be dropped while the response holding the view is still being written.
 *
 * Memory: one chunk per stream, at most `maxStreamsPerLog` streams per log, and a budget over all
 * logs of one cache (LRU: the chunk unused the longest goes first; chunks unused for `idleMs`
 * are dropped at the next read-ahead). A fetch asking for more than `maxChunkBytes` per
 * partition is not read ahead.
 */
export interface ReadAheadOptions {
  /** Bytes of read-ahead chunks held at once over every log of the cache. Default 64 MiB; 0 = off. */
  maxBytes?: number;
  /** Largest chunk. Default 8 MiB. */
  maxChunkBytes?: number;
  /** Streams remembered per log. Default 4. */
  maxStreamsPerLog?: number;
  /** Chunks unused this long are dropped. Default 30 s. */
  idleMs?: number;
  /**
   * Chunk reads in flight at once over every log of the cache; more wait. Default 4 (libuv's
   * default thread pool), so that a larger pool, there for synced writes, does not also turn
   * into more reads at once (docs/design.md).
   */
  maxConcurrentReads?: number;
  time?: () => number;
}

/** What a read asks of a segment; LogSegment answers from its file, a chunk from memory. */
export interface SegmentSource {
  translateOffset(
    offset: number,
    startPosition?: number,
    endPosition?: number,
  ): Promise<BatchLocation | undefined>;
  read(
    position: number,
    firstBatchSize: number,
    maxPosition: number,
    maxBytes: number,
    minOneBatch: boolean,
  ): Promise<Buffer>;
}

interface Chunk {
  segment: LogSegment;
  generation: number;
  /** File position of the chunk's first byte (a batch start). */
  position: number;
  /** lastOffset of the batch just before `position`, or -Infinity at the start of the segment. */
  previousLastOffset: number;
  bytes: number;
  /** The bytes, once read; undefined while reading or after being dropped. */
  buffer: Buffer | undefined;
  ready: Promise<void>;
  usedAt: number;
  dropped: boolean;
}

/** The offset a sequential consumer is expected to fetch next, and what was read ahead for it. */
export interface ReadStream {
  nextOffset: number;
  chunk: Chunk | undefined;
}

/** Not known from the chunk's bytes: ask the segment. */
const UNKNOWN = Symbol('unknown');

/** Budget and LRU of the chunks of every log sharing it (one per log manager). */
export class ReadAheadCache {
  readonly maxBytes: number;
  readonly maxChunkBytes: number;
  readonly maxStreamsPerLog: number;
  private readonly idleMs: number;
  private readonly time: () => number;
  /** Chunks in least recently used order (a Set keeps insertion order). */
  private readonly chunks = new Set<Chunk>();
  private used = 0;
  private readonly maxConcurrentReads: number;
  private readsInFlight = 0;
  private readonly waitingReads: Array<() => void> = [];
  /** Chunks read ahead, chunks adopted from appends, reads answered from a chunk (tests, metrics). */
  readonly stats = { loaded: 0, adopted: 0, served: 0 };

  constructor(options: ReadAheadOptions = {}) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.maxChunkBytes = options.maxChunkBytes ?? 8 * 1024 * 1024;
    this.maxStreamsPerLog = options.maxStreamsPerLog ?? 4;
    this.idleMs = options.idleMs ?? 30_000;
    this.time = options.time ?? Date.now;
    this.maxConcurrentReads = Math.max(1, options.maxConcurrentReads ?? 4);
  }

  /** Bytes held or being read (tests, metrics). */
  get usedBytes(): number {
    return this.used;
  }

  /** Chunks held or being read (tests). */
  get chunkCount(): number {
    return this.chunks.size;
  }

  /** Starts reading `length` bytes of `segment` from `position`; undefined if over budget. */
  load(segment: LogSegment, position: number, length: number, previousLastOffset: number): Chunk | undefined {
    if (length <= 0 || length > this.maxChunkBytes || length > this.maxBytes) return undefined;
    const chunk = this.track(segment, position, previousLastOffset, length, undefined);
    this.stats.loaded++;
    chunk.ready = this.limitedRead(segment, position, length).then(
      (buffer) => {
        if (chunk.dropped) releaseBuffer(buffer);
        else chunk.buffer = buffer;
      },
      () => this.drop(chunk),
    );
    return chunk;
  }

  /**
   * A chunk of bytes already in memory (just appended at `position` of `segment`), held with one
   * more owner; undefined if over budget. The budget counts the whole memory the view keeps alive.
   */
  adopt(
    segment: LogSegment,
    position: number,
    buffer: Buffer,
    previousLastOffset: number,
  ): Chunk | undefined {
    const bytes = buffer.buffer.byteLength;
    if (bytes > this.maxChunkBytes || bytes > this.maxBytes) return undefined;
    retainBuffer(buffer);
    const chunk = this.track(segment, position, previousLastOffset, bytes, buffer);
    this.stats.adopted++;
    return chunk;
  }

  /** `segment.readRange` once fewer than `maxConcurrentReads` chunk reads are in flight. */
  private async limitedRead(segment: LogSegment, position: number, length: number): Promise<Buffer> {
    if (this.readsInFlight < this.maxConcurrentReads) this.readsInFlight++;
    else await new Promise<void>((resolve) => this.waitingReads.push(resolve)); // the slot is handed over
    try {
      return await segment.readRange(position, length);
    } finally {
      const next = this.waitingReads.shift();
      if (next) next();
      else this.readsInFlight--;
    }
  }

  /** A new chunk of `bytes` against the budget, after making room for it. */
  private track(
    segment: LogSegment,
    position: number,
    previousLastOffset: number,
    bytes: number,
    buffer: Buffer | undefined,
  ): Chunk {
    const usedAt = this.makeRoom(bytes);
    const chunk: Chunk = {
      segment,
      generation: segment.generation,
      position,
      previousLastOffset,
      bytes,
      buffer,
      ready: Promise.resolve(),
      usedAt,
      dropped: false,
    };
    this.chunks.add(chunk);
    this.used += bytes;
    return chunk;
  }

  /** Drops idle chunks, and the least recently used ones until `bytes` fit; returns the time. */
  private makeRoom(bytes: number): number {
    const now = this.time();
    for (const oldest of this.chunks) {
      if (this.used + bytes <= this.maxBytes && now - oldest.usedAt < this.idleMs) break;
      this.drop(oldest);
    }
    return now;
  }

  /** Forgets a chunk (served, replaced, evicted); a read still in flight is discarded. */
  drop(chunk: Chunk): void {
    if (chunk.dropped) return;
    chunk.dropped = true;
    if (chunk.buffer !== undefined) releaseBuffer(chunk.buffer);
    chunk.buffer = undefined;
    if (this.chunks.delete(chunk)) this.used -= chunk.bytes;
  }
}

/** The read-ahead state of one partition log. */
export class LogReadAhead {
  private streams: ReadStream[] = [];

  constructor(private readonly cache: ReadAheadCache) {}

  /** The stream a fetch at `offset` continues, after its read-ahead (if any) has landed. */
  async find(offset: number): Promise<ReadStream | undefined> {
    const stream = this.streams.find((candidate) => candidate.nextOffset === offset);
    if (stream === undefined) return undefined;
    if (stream.chunk !== undefined) await stream.chunk.ready;
    return stream;
  }

  /** What to read `segment` through: the stream's chunk when it holds bytes of it, else itself. */
  source(stream: ReadStream | undefined, segment: LogSegment): SegmentSource {
    const chunk = stream?.chunk;
    if (chunk?.buffer === undefined || chunk.segment !== segment) return segment;
    return new ChunkSource(chunk, segment, this.cache.stats);
  }

  /**
   * After a read that returned `records` from `position` of `segments[index]`: moves the stream
   * (or starts one) to the offset after them and, for a stream that was continued, reads the
   * next `aheadBytes` ahead, unless the read reached `maxOffset` (the consumer has caught up)
   * or only a partial chunk of the active segment is there to read.
   */
  advance(
    stream: ReadStream | undefined,
    segments: readonly LogSegment[],
    index: number,
    position: number,
    records: Buffer,
    maxOffset: number,
    aheadBytes: number,
  ): void {
    if (records.length === 0) return;
    const lastOffset = lastOffsetOf(records);
    if (lastOffset === undefined) return;
    if (stream === undefined) {
      this.startStream(lastOffset + 1);
      return;
    }
    this.release(stream);
    stream.nextOffset = lastOffset + 1;
    this.touch(stream);
    if (stream.nextOffset >= maxOffset) return;
    const segment = segments[index]!;
    const end = position + records.length;
    let target: LogSegment;
    let from: number;
    let previousLastOffset: number;
    if (end < segment.size) {
      target = segment;
      from = end;
      previousLastOffset = lastOffset;
    } else if (index + 1 < segments.length) {
      target = segments[index + 1]!;
      from = 0;
      previousLastOffset = Number.NEGATIVE_INFINITY;
    } else {
      return;
    }
    const available = target.size - from;
    // A chunk shorter than a fetch will want is of no use while the active segment still grows.
    if (target === segments[segments.length - 1] && available < aheadBytes) return;
    if (target.isDeleted) return;
    stream.chunk = this.cache.load(target, from, Math.min(aheadBytes, available), previousLastOffset);
  }

  /**
   * After an append of `buffers` at `position` of the active `segment`, its first batch at
   * `baseOffset`: a consumer whose stream waits at exactly that offset (caught up, long-polling)
   * will read these bytes next, so its stream keeps them and the woken fetch is answered from
   * memory instead of the file.
   */
  offerAppended(segment: LogSegment, position: number, buffers: readonly Buffer[], baseOffset: number): void {
    const stream = this.streams.find((candidate) => candidate.nextOffset === baseOffset);
    if (stream === undefined || stream.chunk !== undefined) return;
    let length = 0;
    for (const buffer of buffers) length += buffer.length;
    if (length > this.cache.maxChunkBytes || length > this.cache.maxBytes) return;
    stream.chunk = this.cache.adopt(segment, position, ownBytes(buffers, length), baseOffset - 1);
  }

  /** Forgets every stream and chunk (the log is closed or deleted). */
  clear(): void {
    for (const stream of this.streams) this.release(stream);
    this.streams = [];
  }

  private startStream(nextOffset: number): void {
    if (this.streams.length >= this.cache.maxStreamsPerLog) {
      const oldest = this.streams.shift()!;
      this.release(oldest);
    }
    this.streams.push({ nextOffset, chunk: undefined });
  }

  private touch(stream: ReadStream): void {
    const at = this.streams.indexOf(stream);
    if (at >= 0 && at !== this.streams.length - 1) {
      this.streams.splice(at, 1);
      this.streams.push(stream);
    }
  }

  private release(stream: ReadStream): void {
    if (stream.chunk !== undefined) this.cache.drop(stream.chunk);
    stream.chunk = undefined;
  }
}

/**
 * The appended bytes as one Buffer worth keeping: a lone view that is most of its memory as it
 * is, anything else (several buffers, or a small view that would keep a whole socket chunk or
 * request frame alive) copied into memory of its own.
 */
function ownBytes(buffers: readonly Buffer[], length: number): Buffer {
  const only = buffers.length === 1 ? buffers[0]! : undefined;
  if (only !== undefined && only.buffer.byteLength <= 2 * length) return only;
  const copy = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const buffer of buffers) at += buffer.copy(copy, at);
  return copy;
}

/** A view of a chunk given to a reader, who owns it as a fresh read's buffer (one more owner). */
function handOut(view: Buffer): Buffer {
  retainBuffer(view);
  return view;
}

/** lastOffset of the last whole batch in `records`. */
function lastOffsetOf(records: Buffer): number | undefined {
  let position = 0;
  let lastOffset: number | undefined;
  while (position + BATCH_HEADER_SIZE <= records.length) {
    const size = batchHeader.totalSize(records, position);
    if (size < BATCH_HEADER_SIZE || position + size > records.length) break;
    lastOffset = batchHeader.lastOffset(records, position);
    position += size;
  }
  return lastOffset;
}

/**
 * A segment seen through a chunk of its bytes: each question is answered from the chunk when the
 * chunk holds everything the segment's own answer depends on, and by the segment otherwise.
 */
class ChunkSource implements SegmentSource {
  constructor(
    private readonly chunk: Chunk,
    private readonly segment: LogSegment,
    private readonly stats: { served: number },
  ) {}

  translateOffset(
    offset: number,
    startPosition = 0,
    endPosition = Number.MAX_SAFE_INTEGER,
  ): Promise<BatchLocation | undefined> {
    const found = this.findBatch(offset, startPosition, endPosition);
    if (found !== UNKNOWN) return Promise.resolve(found);
    return this.segment.translateOffset(offset, startPosition, endPosition);
  }

  read(
    position: number,
    firstBatchSize: number,
    maxPosition: number,
    maxBytes: number,
    minOneBatch: boolean,
  ): Promise<Buffer> {
    // The same plan as LogSegment.read, on the chunk's bytes when they cover the range.
    const plan = planRead(this.segment.size, position, firstBatchSize, maxPosition, maxBytes, minOneBatch);
    if (plan === undefined) return Promise.resolve(Buffer.alloc(0));
    const bytes = this.bytes(position, plan.length);
    if (bytes !== undefined) {
      this.stats.served++;
      if (plan.exact) return Promise.resolve(handOut(bytes));
      const end = wholeBatchesLength(bytes, plan.length);
      return Promise.resolve(end > 0 ? handOut(bytes.subarray(0, end)) : Buffer.alloc(0));
    }
    return this.segment.read(position, firstBatchSize, maxPosition, maxBytes, minOneBatch);
  }

  /** The chunk's bytes [position, position + length) of the file, if it holds them all. */
  private bytes(position: number, length: number): Buffer | undefined {
    const { buffer, generation } = this.chunk;
    if (buffer === undefined || generation !== this.segment.generation) return undefined;
    const at = position - this.chunk.position;
    if (at < 0 || at + length > buffer.length) return undefined;
    return buffer.subarray(at, at + length);
  }

  /**
   * LogSegment.translateOffset from the chunk: the first batch from `startPosition` (a batch
   * start) whose lastOffset is >= `offset`, among those ending by min(size, endPosition).
   */
  private findBatch(
    offset: number,
    startPosition: number,
    endPosition: number,
  ): BatchLocation | undefined | typeof UNKNOWN {
    const { buffer, generation, position: chunkStart } = this.chunk;
    if (buffer === undefined || generation !== this.segment.generation) return UNKNOWN;
    let position: number;
    if (startPosition >= chunkStart) position = startPosition;
    else if (this.chunk.previousLastOffset < offset)
      position = chunkStart; // no earlier batch qualifies
    else return UNKNOWN;
    const to = Math.min(this.segment.size, endPosition);
    const chunkEnd = chunkStart + buffer.length;
    for (;;) {
      if (position + BATCH_HEADER_SIZE > to) return undefined;
      if (position + BATCH_HEADER_SIZE > chunkEnd) return UNKNOWN;
      const at = position - chunkStart;
      const size = batchHeader.totalSize(buffer, at);
      if (size < BATCH_HEADER_SIZE) return UNKNOWN;
      if (position + size > to) return undefined;
      const lastOffset = batchHeader.lastOffset(buffer, at);
      if (lastOffset >= offset) {
        return {
          position,
          size,
          baseOffset: batchHeader.baseOffset(buffer, at),
          lastOffset,
          maxTimestamp: batchHeader.maxTimestamp(buffer, at),
        };
      }
      position += size;
    }
  }
}
