/**
 * The FileSystem port. Storage never touches `node:fs` directly: it goes through this interface,
 * which has a disk implementation (`NodeFileSystem`) and an in-memory one that can inject faults
 * (`MemoryFileSystem`: fail or tear the Nth write, fail fsync, ENOSPC, crash losing unsynced data).
 *
 * Errors are thrown as Node-style errors with a `code` (`ENOENT`, `ENOSPC`, `EIO`, ...), the same
 * from both implementations, so callers can map them to Kafka error codes.
 */
export interface FileStat {
  size: number;
  isDirectory: boolean;
  isFile: boolean;
  mtimeMs: number;
}

export type OpenMode =
  | 'r' // read only; the file must exist
  | 'r+' // read and write; the file must exist
  | 'w+' // read and write; created or truncated
  | 'a+'; // read and append; created if missing

export interface OpenOptions {
  /**
   * Synchronous data writes (O_DSYNC): each write returns only once its bytes, and the file size
   * needed to read them back, are durable, as if an fdatasync followed it within the same call.
   */
  syncWrites?: boolean;
}

export interface FileHandle {
  /** Reads up to `length` bytes at `position` into `buffer` at `offset`; returns the bytes read. */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  /** Writes all of `buffer` at `position` (or at the end for append handles); returns bytes written. */
  write(buffer: Buffer, position?: number): Promise<number>;
  /** Writes several buffers in order at `position` (or at the end); returns bytes written. */
  writev(buffers: Buffer[], position?: number): Promise<number>;
  /** Makes the file's data durable (fdatasync). */
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
  /**
   * A new descriptor for the open file, owned by the caller (sent with sendfile, see
   * util/file-region); undefined once the handle is closing. Absent where files have no
   * descriptors (in memory) or the platform cannot duplicate them.
   */
  duplicateFd?(): number | undefined;
}

export interface FileSystem {
  open(path: string, mode: OpenMode, options?: OpenOptions): Promise<FileHandle>;
  readFile(path: string): Promise<Buffer>;
  /** Writes a whole file (not atomic; see `writeFileAtomic` in storage for crash-safe replace). */
  writeFile(path: string, data: Buffer): Promise<void>;
  mkdir(path: string, options?: { recursive?: boolean }): Promise<void>;
  readdir(path: string): Promise<string[]>;
  stat(path: string): Promise<FileStat>;
  exists(path: string): Promise<boolean>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Removes a directory and everything below it. */
  rmdir(path: string): Promise<void>;
  /** Makes a directory's entries (creates, renames, deletes) durable. */
  syncDirectory(path: string): Promise<void>;
}
