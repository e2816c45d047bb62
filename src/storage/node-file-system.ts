import {
  constants,
  mkdir,
  type FileHandle as NodeFileHandle,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { nativeFiles } from '../util/sendfile.js';
import type { FileHandle, FileStat, FileSystem, OpenMode, OpenOptions } from './fs.js';

const OPEN_FLAGS: Readonly<Record<OpenMode, number>> = {
  r: constants.O_RDONLY,
  'r+': constants.O_RDWR,
  'w+': constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC,
  'a+': constants.O_RDWR | constants.O_CREAT | constants.O_APPEND,
};

export interface NodeFileSystemOptions {
  /**
   * Open `syncWrites` handles with O_DSYNC; when false (or on platforms without it), each write
   * is followed by an fdatasync.
   */
  dsync?: boolean;
}

/**
 * The FileSystem port on the real disk (node:fs/promises). This is the only file of storage that
 * imports `node:fs`. `sync` is fdatasync; `syncWrites` opens with O_DSYNC; `syncDirectory` opens
 * the directory read-only and fsyncs it, which is how a created, renamed or removed entry becomes
 * durable on Linux.
 *
 * Concurrency: handles may be used concurrently; positional reads and writes do not share a file
 * position. Append handles (`a+`) always write at the end, whatever position is passed.
 */
export class NodeFileSystem implements FileSystem {
  private readonly dsync: boolean;

  constructor(options: NodeFileSystemOptions = {}) {
    this.dsync = (options.dsync ?? true) && constants.O_DSYNC !== undefined;
  }

  async open(path: string, mode: OpenMode, options: OpenOptions = {}): Promise<FileHandle> {
    if (!options.syncWrites) return new NodeHandle(await open(path, mode), mode === 'a+', false);
    if (!this.dsync) return new NodeHandle(await open(path, mode), mode === 'a+', true);
    return new NodeHandle(
      await open(path, OPEN_FLAGS[mode] | constants.O_DSYNC, 0o666),
      mode === 'a+',
      false,
    );
  }

  readFile(path: string): Promise<Buffer> {
    return readFile(path);
  }

  writeFile(path: string, data: Buffer): Promise<void> {
    return writeFile(path, data);
  }

  async mkdir(path: string, options?: { recursive?: boolean }): Promise<void> {
    await mkdir(path, { recursive: options?.recursive ?? false });
  }

  readdir(path: string): Promise<string[]> {
    return readdir(path);
  }

  async stat(path: string): Promise<FileStat> {
    const info = await stat(path);
    return { size: info.size, isDirectory: info.isDirectory(), isFile: info.isFile(), mtimeMs: info.mtimeMs };
  }

  async exists(path: string): Promise<boolean> {
    try {
      await stat(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  rename(from: string, to: string): Promise<void> {
    return rename(from, to);
  }

  unlink(path: string): Promise<void> {
    return unlink(path);
  }

  rmdir(path: string): Promise<void> {
    return rm(path, { recursive: true, force: true });
  }

  async syncDirectory(path: string): Promise<void> {
    const handle = await open(path, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

class NodeHandle implements FileHandle {
  /** Set when close is called: from then on the descriptor number may already be another file's. */
  private closing = false;
  readonly duplicateFd?: () => number | undefined;

  constructor(
    private readonly handle: NodeFileHandle,
    private readonly append: boolean,
    /** Sync after every write (syncWrites without O_DSYNC). */
    private readonly syncEachWrite: boolean,
  ) {
    const native = nativeFiles();
    if (native !== undefined) {
      this.duplicateFd = () => (this.closing ? undefined : native.duplicate(this.handle.fd));
    }
  }

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    let total = 0;
    // A short read only happens at the end of the file; loop for the rare partial read before it.
    while (total < length) {
      const { bytesRead } = await this.handle.read(buffer, offset + total, length - total, position + total);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    return total;
  }

  async write(buffer: Buffer, position?: number): Promise<number> {
    const written = await this.writeAll(buffer, position);
    if (this.syncEachWrite) await this.handle.datasync();
    return written;
  }

  private async writeAll(buffer: Buffer, position?: number): Promise<number> {
    let total = 0;
    while (total < buffer.length) {
      const at = this.append || position === undefined ? null : position + total;
      const { bytesWritten } = await this.handle.write(buffer, total, buffer.length - total, at);
      total += bytesWritten;
    }
    return total;
  }

  async writev(buffers: Buffer[], position?: number): Promise<number> {
    if (buffers.length === 1) return this.write(buffers[0]!, position);
    const expected = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    const at = this.append || position === undefined ? null : position;
    const { bytesWritten } = await this.handle.writev(buffers, at ?? undefined);
    let total = bytesWritten;
    if (bytesWritten < expected) {
      // A short writev: write the rest as one contiguous buffer.
      const rest = Buffer.concat(buffers).subarray(bytesWritten);
      total += await this.writeAll(rest, at === null ? undefined : at + bytesWritten);
    }
    if (this.syncEachWrite) await this.handle.datasync();
    return total;
  }

  sync(): Promise<void> {
    return this.handle.datasync();
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  async size(): Promise<number> {
    return (await this.handle.stat()).size;
  }

  close(): Promise<void> {
    this.closing = true;
    return this.handle.close();
  }
}
