/**
 * Large Buffers reused instead of left to the garbage collector. Every Buffer of 4 KiB or more
 * that Node allocates has its own ArrayBuffer, counted by V8 as external memory; allocating one
 * per fetch (a 1 MiB read per partition) makes V8 run a full mark-compact every few tens of MiB,
 * which on a latency-bound path costs more than the reads themselves.
 *
 * Ownership is counted per underlying ArrayBuffer: `acquire` hands out a view with one owner,
 * `retainBuffer` adds one (the same bytes given to a second holder), `releaseBuffer` removes one,
 * and the last release puts the memory back on the free list of its pool. A holder that never
 * releases simply lets the memory be collected as usual: forgetting to release costs only the
 * reuse, while releasing a view still in use would let its bytes be overwritten, so only the
 * code that knows a view's last use releases it (the fetch path: the Fetch handler hands its
 * read buffers over to the response, and the connection releases them once the frame has been
 * written to the socket). Releasing a Buffer that does not come from a pool does nothing.
 *
 * Buffers come in power-of-two sizes from `minBytes` to `maxBufferBytes`; requests outside that
 * range get a plain allocation. The free lists hold at most `maxFreeBytes` in total.
 */
export interface BufferPoolOptions {
  /** Smallest pooled size (smaller requests are plain allocations). Default 64 KiB. */
  minBytes?: number;
  /** Largest pooled size. Default 16 MiB. */
  maxBufferBytes?: number;
  /** Bytes kept on the free lists. Default 64 MiB. */
  maxFreeBytes?: number;
}

interface Ownership {
  pool: BufferPool;
  owners: number;
}

/** Pooled ArrayBuffers currently handed out, with their owner count. */
const owned = new WeakMap<ArrayBufferLike, Ownership>();

export class BufferPool {
  readonly minBytes: number;
  readonly maxBufferBytes: number;
  readonly maxFreeBytes: number;
  /** Free buffers by size class (bytes). */
  private readonly free = new Map<number, Buffer[]>();
  private freeBytes = 0;

  constructor(options: BufferPoolOptions = {}) {
    this.minBytes = options.minBytes ?? 64 * 1024;
    this.maxBufferBytes = options.maxBufferBytes ?? 16 * 1024 * 1024;
    this.maxFreeBytes = options.maxFreeBytes ?? 64 * 1024 * 1024;
  }

  /** Bytes on the free lists (tests, metrics). */
  get freeByteCount(): number {
    return this.freeBytes;
  }

  /** A Buffer of exactly `size` bytes (contents unspecified) with one owner. */
  acquire(size: number): Buffer {
    if (size < this.minBytes || size > this.maxBufferBytes) return Buffer.allocUnsafe(size);
    let sizeClass = this.minBytes;
    while (sizeClass < size) sizeClass *= 2;
    const buffer = this.take(sizeClass) ?? Buffer.allocUnsafeSlow(sizeClass);
    owned.set(buffer.buffer, { pool: this, owners: 1 });
    return buffer.subarray(0, size);
  }

  /** Called by releaseBuffer when the last owner of `memory` is gone (internal). */
  recycle(memory: ArrayBufferLike): void {
    const size = memory.byteLength;
    if (this.freeBytes + size > this.maxFreeBytes) return;
    let list = this.free.get(size);
    if (list === undefined) {
      list = [];
      this.free.set(size, list);
    }
    list.push(Buffer.from(memory, 0, size));
    this.freeBytes += size;
  }

  /** Takes a buffer of `sizeClass` off the free list, keeping the count right. */
  private take(sizeClass: number): Buffer | undefined {
    const buffer = this.free.get(sizeClass)?.pop();
    if (buffer !== undefined) this.freeBytes -= sizeClass;
    return buffer;
  }
}

/** Adds an owner to the pooled memory under `view` (no-op for other Buffers). */
export function retainBuffer(view: Buffer): void {
  const ownership = owned.get(view.buffer);
  if (ownership !== undefined) ownership.owners++;
}

/** Removes an owner; the last one returns the memory to its pool (no-op for other Buffers). */
export function releaseBuffer(view: Buffer): void {
  const memory = view.buffer;
  const ownership = owned.get(memory);
  if (ownership === undefined) return;
  if (--ownership.owners > 0) return;
  owned.delete(memory);
  ownership.pool.recycle(memory);
}

/** Views whose owner's reference now belongs to the response frame they were put in. */
const handedOver = new WeakSet<Buffer>();

/**
 * Gives the caller's reference of pooled `view` to the response frame it is put in, as that very
 * Buffer object: the connection releases it once the frame is written (`releaseHandedOver`). Only
 * views handed over this way are released by a connection; pooled bytes that reach a response
 * any other way (say, group metadata loaded from a log and kept) are never released by it.
 */
export function handOver(view: Buffer): void {
  if (owned.has(view.buffer)) handedOver.add(view);
}

/** Releases `piece` if it was handed over to the frame just written (no-op otherwise). */
export function releaseHandedOver(piece: Buffer): void {
  if (handedOver.delete(piece)) releaseBuffer(piece);
}

/** Whether `view` lies on pooled memory that is currently handed out (tests). */
export function isPooled(view: Buffer): boolean {
  return owned.has(view.buffer);
}

/** The pool shared by storage reads and the connections that write them out. */
export const sharedBufferPool = new BufferPool();
