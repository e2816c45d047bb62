import { closeDescriptor } from './sendfile.js';

/**
 * A range of a file that goes into a response without being read into memory: the connection
 * hands it to the kernel with `sendfile` (util/sendfile). Fetch responses carry one per partition
 * in place of the record bytes when the range is large enough to be worth it.
 *
 * The region owns `fd`, a descriptor of its own (a `dup` of the segment's): the segment may be
 * closed, deleted or compacted away while the response waits to be written, and the region's
 * bytes stay readable until it is released. Whoever holds a region last releases it: the
 * connection once it is written or dropped, the fetch path when it discards a read. A region
 * that is never released closes its descriptor when it is garbage collected.
 */
export class FileRegion {
  private released = false;

  constructor(
    readonly fd: number,
    /** File position of the first byte. */
    readonly position: number,
    readonly length: number,
  ) {
    openRegions.register(this, fd, this);
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** Closes the region's descriptor; later calls do nothing. */
  release(): void {
    if (this.released) return;
    this.released = true;
    openRegions.unregister(this);
    closeDescriptor(this.fd);
  }
}

const openRegions = new FinalizationRegistry<number>(closeDescriptor);

/** A piece of a response frame: bytes in memory, or a range of a file. */
export type FramePiece = Buffer | FileRegion;

/**
 * The bytes of record data that cannot be a file region: decoded from the wire (clients, tests)
 * or produced where `sendsFiles` is false.
 */
export function recordBytes(records: Buffer | FileRegion): Buffer {
  if (records instanceof FileRegion) throw new TypeError('expected record bytes, found a file region');
  return records;
}

/** Releases the file regions among `pieces` (a frame that will not be written). */
export function releaseRegions(pieces: readonly FramePiece[]): void {
  for (const piece of pieces) if (piece instanceof FileRegion) piece.release();
}
