import type { FileSystem } from '../fs.js';

/**
 * What the offset index and the time index share: a sorted array of fixed-size entries, kept in
 * memory and written to a file named after the segment.
 *
 * File lifecycle: created preallocated (zero-filled) to `maxIndexBytes`, so a full index is a
 * reason to roll; entries are written to the file lazily (`persist`, on roll, close and clean
 * shutdown) because the active segment's indexes are rebuilt from the log after an unclean stop
 * anyway; `trim` cuts the file to its entries when the segment stops being active. On load the
 * valid entries are the prefix whose keys strictly increase, so a zero-filled preallocated tail
 * ends the list by itself.
 *
 * Concurrency: single writer (the partition's append lock); lookups are synchronous and can run
 * between writes.
 */
export abstract class IndexFile {
  protected readonly keys: number[] = [];
  protected readonly values: number[] = [];
  /** Entries already in the file, at their slots. */
  private persisted = 0;
  readonly maxEntries: number;

  constructor(
    protected readonly fs: FileSystem,
    public path: string,
    readonly baseOffset: number,
    maxIndexBytes: number,
    readonly entrySize: number,
  ) {
    this.maxEntries = Math.max(1, Math.floor(maxIndexBytes / entrySize));
  }

  protected abstract encode(buffer: Buffer, at: number, key: number, value: number): void;
  /** Decodes an entry; undefined if it cannot be valid. */
  protected abstract decode(buffer: Buffer, at: number): [number, number] | undefined;

  get entries(): number {
    return this.keys.length;
  }

  isFull(): boolean {
    return this.keys.length >= this.maxEntries;
  }

  get lastKey(): number | undefined {
    return this.keys[this.keys.length - 1];
  }

  get lastValue(): number | undefined {
    return this.values[this.values.length - 1];
  }

  /** Creates the file, zero-filled to the maximum size. */
  async create(): Promise<void> {
    const handle = await this.fs.open(this.path, 'w+');
    try {
      await handle.truncate(this.maxEntries * this.entrySize);
    } finally {
      await handle.close();
    }
  }

  /**
   * Loads the entries of an existing file. Returns false when the file is missing or not a whole
   * number of entries long after trimming, which the caller treats as "rebuild from the log".
   */
  async load(trimmed: boolean): Promise<boolean> {
    this.keys.length = 0;
    this.values.length = 0;
    let content: Buffer;
    try {
      content = await this.fs.readFile(this.path);
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return false;
      throw error;
    }
    if (trimmed && content.length % this.entrySize !== 0) return false;
    const count = Math.min(this.maxEntries, Math.floor(content.length / this.entrySize));
    for (let i = 0; i < count; i++) {
      const entry = this.decode(content, i * this.entrySize);
      if (!entry) break;
      const last = this.lastKey;
      if (last !== undefined && entry[0] <= last) break;
      this.keys.push(entry[0]);
      this.values.push(entry[1]);
    }
    this.persisted = this.keys.length;
    // A trimmed file holds only entries: anything unparsable means corruption.
    return !trimmed || this.keys.length * this.entrySize === content.length;
  }

  protected push(key: number, value: number): void {
    this.keys.push(key);
    this.values.push(value);
  }

  /**
   * Position in the arrays of the last entry with key <= target, or -1; with `sorted` =
   * `this.values`, of the last entry with value <= target (values increase too).
   */
  protected floorIndex(target: number, sorted: readonly number[] = this.keys): number {
    let low = 0;
    let high = sorted.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (sorted[middle]! <= target) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }

  /** Drops entries from array position `from` on. */
  protected dropFrom(from: number): void {
    if (from >= this.keys.length) return;
    this.keys.length = from;
    this.values.length = from;
    this.persisted = Math.min(this.persisted, from);
  }

  reset(): void {
    this.dropFrom(0);
  }

  /** Writes entries not yet in the file. */
  async persist(): Promise<void> {
    if (this.persisted >= this.keys.length) return;
    const count = this.keys.length - this.persisted;
    const buffer = Buffer.alloc(count * this.entrySize);
    for (let i = 0; i < count; i++) {
      this.encode(
        buffer,
        i * this.entrySize,
        this.keys[this.persisted + i]!,
        this.values[this.persisted + i]!,
      );
    }
    const handle = await this.fs.open(this.path, (await this.fs.exists(this.path)) ? 'r+' : 'w+');
    try {
      await handle.write(buffer, this.persisted * this.entrySize);
    } finally {
      await handle.close();
    }
    this.persisted = this.keys.length;
  }

  /**
   * Makes the entries written so far durable (fdatasync), without changing the file's size: the
   * slots are preallocated, so this is a data-only sync (no truncation, which would make the
   * file system commit its journal). Entries appended after `persist` are not covered.
   */
  async syncFile(): Promise<void> {
    const handle = await this.fs.open(this.path, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /**
   * Writes pending entries and cuts the file to exactly its entries (or, with `preallocate`, grows
   * it back to the maximum, for a segment that becomes active again); then fsyncs it.
   */
  async trim(options: { preallocate?: boolean; sync?: boolean } = {}): Promise<void> {
    await this.persist();
    // A missing file (lost, or never written for a swapped-in segment) is recreated.
    const handle = await this.fs.open(this.path, (await this.fs.exists(this.path)) ? 'r+' : 'w+');
    try {
      const length = options.preallocate
        ? this.maxEntries * this.entrySize
        : this.keys.length * this.entrySize;
      if (options.preallocate) {
        // Zero the slots after the entries so that stale entries cannot come back on load.
        await handle.truncate(this.keys.length * this.entrySize);
      }
      await handle.truncate(length);
      if (options.sync ?? true) await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async rename(path: string): Promise<void> {
    await this.fs.rename(this.path, path);
    this.path = path;
  }

  async delete(): Promise<void> {
    try {
      await this.fs.unlink(this.path);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT') throw error;
    }
  }
}
