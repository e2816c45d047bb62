import { posix } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { StorageError, toStorageError } from '../errors.js';
import type { FileHandle, FileSystem } from '../fs.js';
import type { Flushable } from './group-commit.js';

/**
 * The shared journal of `samsa.fsync.method=journal`: one file per log directory that makes the
 * appends of many partitions durable with one O_DSYNC write, while each partition's segment is
 * written without a sync and made durable later, at a journal checkpoint.
 *
 * Why: with one synced write per partition, 1,000 busy partitions cost 1,000 synced writes where
 * the appends of one partition queued behind its running write leave as one; the journal turns
 * the appends that arrive anywhere while a journal write runs into the next single write.
 *
 * Files: `<logDir>/samsa-journal/<20-digit sequence>.journal`, each a run of entries
 *   u32 bodyLength | u32 crc32c(body) | body = u16 keyLength | key (partition dir name, UTF-8) |
 *   whole record batches, offsets already assigned
 * A checkpoint starts a new file, fsyncs the segments of every partition with entries in the
 * older files (through the caller's `flush`), then deletes those files. Recovery replays every
 * file in order before the directory takes appends (`readJournal`, then
 * `PartitionLog.replayJournalEntry`): an entry whose batches the segment already holds is
 * skipped, the rest is appended. A torn entry (crash during its write) was never acknowledged and
 * ends its file.
 *
 * Whatever would make a journal entry disagree with its partition's log later (the partition
 * deleted and created again, or truncated) must checkpoint first, so that no entry older than the
 * change survives it.
 *
 * Concurrency: writes and file switches run one at a time in call order on one promise chain;
 * entries resolve in file order. After a failed write the journal is failed: that write's entries
 * and every later append reject, since the file's synced state is unknown (like a failed fsync).
 */
export const JOURNAL_DIR = 'samsa-journal';
const JOURNAL_SUFFIX = '.journal';
const ENTRY_HEADER_BYTES = 8;
/** Entries per write: each takes two iovecs, and IOV_MAX is 1024. */
const MAX_ENTRIES_PER_WRITE = 500;

export interface JournalConfig {
  fs: FileSystem;
  /** The journal directory (`<logDir>/samsa-journal`). */
  dir: string;
  /** A checkpoint starts once the current file has grown this much. Default 128 MiB. */
  checkpointBytes?: number;
  /** Makes the segments of these partitions durable (the log manager's group commit). */
  flush: (targets: Flushable[]) => Promise<void>;
  /** Failures of checkpoints started by the journal itself. */
  onError?: (error: unknown) => void;
}

export interface JournalEntry {
  /** The partition directory name. */
  key: string;
  /** Whole record batches. */
  records: Buffer;
}

interface JournalFile {
  sequence: number;
  path: string;
  handle: FileHandle | undefined;
  bytes: number;
  targets: Set<Flushable>;
}

interface PendingEntry {
  target: Flushable;
  header: Buffer;
  buffers: Buffer[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class Journal {
  /** Journal writes, entries and checkpoints, for tests and metrics. */
  readonly stats = { writes: 0, entries: 0, checkpoints: 0 };
  private readonly fs: FileSystem;
  private readonly dir: string;
  private readonly checkpointBytes: number;
  private files: JournalFile[] = [];
  private nextSequence = 0;
  private pending: PendingEntry[] = [];
  private writeScheduled = false;
  private chain: Promise<void> = Promise.resolve();
  private checkpointing: Promise<void> | undefined;
  private failed: StorageError | undefined;
  private closed = false;

  constructor(private readonly config: JournalConfig) {
    this.fs = config.fs;
    this.dir = config.dir;
    this.checkpointBytes = config.checkpointBytes ?? 128 * 1024 * 1024;
  }

  /** Files not yet deleted (tests). */
  get fileCount(): number {
    return this.files.length;
  }

  /**
   * Queues an entry for `key` (the partition directory) holding `buffers` (whole batches, in
   * order). Resolves once the entry is durable; `target` is flushed by the checkpoint that
   * deletes the entry's file.
   */
  append(target: Flushable, key: string, buffers: Buffer[]): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new StorageError('ERR_LOG_CLOSED', 'the journal is closed'));
    const keyBytes = Buffer.from(key, 'utf8');
    const header = Buffer.allocUnsafe(ENTRY_HEADER_BYTES + 2 + keyBytes.length);
    header.writeUInt16BE(keyBytes.length, ENTRY_HEADER_BYTES);
    keyBytes.copy(header, ENTRY_HEADER_BYTES + 2);
    let length = 2 + keyBytes.length;
    let crc = crc32c(header.subarray(ENTRY_HEADER_BYTES));
    for (const buffer of buffers) {
      length += buffer.length;
      crc = crc32c(buffer, crc);
    }
    header.writeUInt32BE(length, 0);
    header.writeUInt32BE(crc, 4);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ target, header, buffers, resolve, reject });
      this.scheduleWrite();
    });
  }

  /**
   * Starts a new file, makes durable the segments of every partition with entries in the older
   * files and deletes them. Serialised; a failed flush keeps the files (the next checkpoint, or
   * recovery, covers them again).
   */
  checkpoint(): Promise<void> {
    const previous = this.checkpointing ?? Promise.resolve();
    const run = previous.then(() => this.runCheckpoint());
    const settled = run.catch(() => undefined);
    this.checkpointing = settled;
    void settled.then(() => {
      if (this.checkpointing === settled) this.checkpointing = undefined;
    });
    return run;
  }

  /**
   * After every partition was closed (their segments synced): deletes the files, so a clean
   * start has nothing to replay. With `keepFiles` (a partition failed to close) they stay.
   */
  async close(keepFiles = false): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    while (this.checkpointing) await this.checkpointing;
    for (const file of this.files) await file.handle?.close().catch(() => undefined);
    if (keepFiles || this.failed || this.files.length === 0) return;
    for (const file of this.files) await this.fs.unlink(file.path);
    await this.fs.syncDirectory(this.dir);
    this.files = [];
  }

  private scheduleWrite(): void {
    if (this.writeScheduled) return;
    this.writeScheduled = true;
    this.enqueue(() => this.writePending());
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.chain.then(operation);
    this.chain = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async writePending(): Promise<void> {
    this.writeScheduled = false;
    const entries = this.pending.splice(0, MAX_ENTRIES_PER_WRITE);
    if (this.pending.length > 0) this.scheduleWrite();
    if (entries.length === 0) return;
    try {
      if (this.failed) throw this.failed;
      const file = await this.currentFile();
      const buffers: Buffer[] = [];
      for (const entry of entries) buffers.push(entry.header, ...entry.buffers);
      const written = await file.handle!.writev(buffers);
      file.bytes += written;
      for (const entry of entries) file.targets.add(entry.target);
      this.stats.writes++;
      this.stats.entries += entries.length;
      if (file.bytes >= this.checkpointBytes && !this.checkpointing && !this.closed) {
        this.checkpoint().catch((error: unknown) => this.config.onError?.(error));
      }
    } catch (error) {
      this.failed ??= new StorageError(
        'ERR_LOG_OFFLINE',
        `journal ${this.dir} failed: ${toStorageError(error, 'journal write failed').message}`,
        { cause: error },
      );
      for (const entry of entries) entry.reject(this.failed);
      return;
    }
    for (const entry of entries) entry.resolve();
  }

  /** The file entries go to, created (durably, with its directory entry) on first use. */
  private async currentFile(): Promise<JournalFile> {
    const last = this.files[this.files.length - 1];
    if (last?.handle) return last;
    return this.startFile();
  }

  private async startFile(): Promise<JournalFile> {
    if (this.files.length === 0 && this.nextSequence === 0) {
      if (!(await this.fs.exists(this.dir))) {
        await this.fs.mkdir(this.dir, { recursive: true });
        await this.fs.syncDirectory(posix.dirname(this.dir));
      }
      for (const name of await this.fs.readdir(this.dir)) {
        const sequence = parseJournalFileName(name);
        if (sequence !== undefined) this.nextSequence = Math.max(this.nextSequence, sequence + 1);
      }
    }
    const sequence = this.nextSequence++;
    const path = posix.join(this.dir, journalFileName(sequence));
    const handle = await this.fs.open(path, 'w+', { syncWrites: true });
    await this.fs.syncDirectory(this.dir);
    const file: JournalFile = { sequence, path, handle, bytes: 0, targets: new Set() };
    this.files.push(file);
    return file;
  }

  private async runCheckpoint(): Promise<void> {
    if (this.failed) throw this.failed;
    // Switch files on the write chain, so that every entry before the switch is in an old file.
    const old = await this.enqueue(async () => {
      const previous = [...this.files];
      if (previous.every((file) => file.bytes === 0) || this.closed) return [];
      await this.startFile();
      return previous;
    });
    if (old.length === 0) return;
    const targets = new Set<Flushable>();
    for (const file of old) for (const target of file.targets) targets.add(target);
    await this.config.flush([...targets]);
    for (const file of old) {
      await file.handle?.close();
      file.handle = undefined;
      await this.fs.unlink(file.path);
    }
    await this.fs.syncDirectory(this.dir);
    this.files = this.files.filter((file) => !old.includes(file));
    this.stats.checkpoints++;
  }
}

export function journalFileName(sequence: number): string {
  return String(sequence).padStart(20, '0') + JOURNAL_SUFFIX;
}

function parseJournalFileName(name: string): number | undefined {
  const match = /^(\d{20})\.journal$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

export interface JournalContents {
  /** Paths of the journal files, oldest first. */
  files: string[];
  entries: JournalEntry[];
  /** Files whose last entry was torn or corrupt (what follows it is ignored). */
  tornFiles: string[];
}

/** Reads every entry of every journal file in `dir`, oldest first (recovery). */
export async function readJournal(fs: FileSystem, dir: string): Promise<JournalContents> {
  const contents: JournalContents = { files: [], entries: [], tornFiles: [] };
  if (!(await fs.exists(dir))) return contents;
  const names = (await fs.readdir(dir)).filter((name) => parseJournalFileName(name) !== undefined).sort();
  for (const name of names) {
    const path = posix.join(dir, name);
    contents.files.push(path);
    const data = await fs.readFile(path);
    let position = 0;
    while (position < data.length) {
      const entry = decodeEntry(data, position);
      if (!entry) {
        contents.tornFiles.push(path);
        break;
      }
      contents.entries.push(entry.entry);
      position = entry.next;
    }
  }
  return contents;
}

function decodeEntry(data: Buffer, position: number): { entry: JournalEntry; next: number } | undefined {
  if (data.length - position < ENTRY_HEADER_BYTES + 2) return undefined;
  const length = data.readUInt32BE(position);
  const crc = data.readUInt32BE(position + 4);
  const start = position + ENTRY_HEADER_BYTES;
  const end = start + length;
  if (length < 2 || end > data.length) return undefined;
  const body = data.subarray(start, end);
  if (crc32c(body) !== crc) return undefined;
  const keyLength = body.readUInt16BE(0);
  if (2 + keyLength > body.length) return undefined;
  return {
    entry: { key: body.toString('utf8', 2, 2 + keyLength), records: body.subarray(2 + keyLength) },
    next: end,
  };
}
