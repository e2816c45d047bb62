import type { FileSystem } from '../fs.js';
import { IndexFile } from './index-file.js';

/**
 * The sparse time index of one segment (`<baseOffset>.timeindex`).
 *
 * Byte format: 12-byte entries, big-endian
 *   timestamp      int64   the largest batch timestamp seen in the segment so far
 *   relativeOffset int32   the offset (minus the segment's base) of the batch that carried it
 * An entry is added alongside an offset-index entry when the largest timestamp has grown, and one
 * last entry with the segment's largest timestamp when the segment stops being active, so the
 * last entry of a closed segment gives its largest timestamp (used by time retention).
 * Timestamps strictly increase.
 *
 * Concurrency: as IndexFile.
 */
export class TimeIndex extends IndexFile {
  static readonly ENTRY_SIZE = 12;

  constructor(fs: FileSystem, path: string, baseOffset: number, maxIndexBytes: number) {
    super(fs, path, baseOffset, maxIndexBytes, TimeIndex.ENTRY_SIZE);
  }

  protected encode(buffer: Buffer, at: number, timestamp: number, offset: number): void {
    const high = Math.floor(timestamp / 0x1_0000_0000);
    buffer.writeInt32BE(high, at);
    buffer.writeUInt32BE(timestamp - high * 0x1_0000_0000, at + 4);
    buffer.writeInt32BE(offset - this.baseOffset, at + 8);
  }

  protected decode(buffer: Buffer, at: number): [number, number] | undefined {
    const timestamp = buffer.readInt32BE(at) * 0x1_0000_0000 + buffer.readUInt32BE(at + 4);
    const relative = buffer.readInt32BE(at + 8);
    if (relative < 0 || timestamp <= 0) return undefined;
    if (this.entries > 0 && this.baseOffset + relative < this.lastValue!) return undefined;
    return [timestamp, this.baseOffset + relative];
  }

  /** Adds an entry if the timestamp is larger than the last one. */
  maybeAppend(timestamp: number, offset: number): void {
    const last = this.lastKey;
    if (last !== undefined && timestamp <= last) return;
    if (this.isFull()) return;
    this.push(timestamp, offset);
  }

  /** The last entry with timestamp <= target, or undefined if all are later (or none). */
  lookup(target: number): { timestamp: number; offset: number } | undefined {
    const at = this.floorIndex(target);
    if (at < 0) return undefined;
    return { timestamp: this.keys[at]!, offset: this.values[at]! };
  }

  get lastEntry(): { timestamp: number; offset: number } | undefined {
    if (this.entries === 0) return undefined;
    return { timestamp: this.lastKey!, offset: this.lastValue! };
  }

  /** Removes entries for offsets >= offset. */
  truncateTo(offset: number): void {
    let keep = this.values.length;
    while (keep > 0 && this.values[keep - 1]! >= offset) keep--;
    this.dropFrom(keep);
  }
}
