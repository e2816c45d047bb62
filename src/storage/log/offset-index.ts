import type { FileSystem } from '../fs.js';
import { IndexFile } from './index-file.js';

/**
 * The sparse offset index of one segment (`<baseOffset>.index`).
 *
 * Byte format: 8-byte entries, big-endian
 *   relativeOffset int32   lastOffset of a batch minus the segment's base offset
 *   position       int32   byte position of that batch in the `.log` file
 * One entry is added every `index.interval.bytes` of log. Relative offsets and positions both
 * strictly increase (the first entry may be 0/0).
 *
 * Lookup gives the last entry at or below an offset; the batch holding that offset starts at or
 * after the entry's position, found by a bounded scan of batch headers.
 *
 * Concurrency: as IndexFile.
 */
export class OffsetIndex extends IndexFile {
  static readonly ENTRY_SIZE = 8;

  constructor(fs: FileSystem, path: string, baseOffset: number, maxIndexBytes: number) {
    super(fs, path, baseOffset, maxIndexBytes, OffsetIndex.ENTRY_SIZE);
  }

  protected encode(buffer: Buffer, at: number, offset: number, position: number): void {
    buffer.writeInt32BE(offset - this.baseOffset, at);
    buffer.writeInt32BE(position, at + 4);
  }

  protected decode(buffer: Buffer, at: number): [number, number] | undefined {
    const relative = buffer.readInt32BE(at);
    const position = buffer.readInt32BE(at + 4);
    if (relative < 0 || position < 0) return undefined;
    if (this.entries > 0 && position <= this.lastValue!) return undefined;
    return [this.baseOffset + relative, position];
  }

  /** Adds an entry; ignored unless offset and position move forward. */
  append(offset: number, position: number): void {
    const lastOffset = this.lastKey;
    if (lastOffset !== undefined && (offset <= lastOffset || position <= this.lastValue!)) return;
    if (this.isFull()) return;
    this.push(offset, position);
  }

  /** The last entry with offset <= target, or the segment start. */
  lookup(target: number): { offset: number; position: number } {
    const at = this.floorIndex(target);
    if (at < 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.keys[at]!, position: this.values[at]! };
  }

  /** The largest indexed position at or below `position` (a batch start), or 0. */
  floorPosition(position: number): number {
    const at = this.floorIndex(position, this.values);
    return at < 0 ? 0 : this.values[at]!;
  }

  /** Removes entries for offsets >= offset. */
  truncateTo(offset: number): void {
    const at = this.floorIndex(offset - 1);
    this.dropFrom(at + 1);
  }

  /** The largest position referenced (for sanity checks against the log size). */
  get lastPosition(): number {
    return this.lastValue ?? 0;
  }
}
