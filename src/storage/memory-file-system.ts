import { posix } from 'node:path';
import type { FileHandle, FileStat, FileSystem, OpenMode, OpenOptions } from './fs.js';

/**
 * An in-memory FileSystem that models what survives a power loss, and injects faults.
 *
 * Durability model (strict, like ext4 without data=journal guarantees):
 * - A file's content is durable as of its last `sync()`; later writes live only in "page cache".
 *   A write through a handle opened with `syncWrites` makes its own range durable when it
 *   completes, and the file's size at least as large (an O_DSYNC write: data and the size it
 *   needs, not the rest of the file). Bytes between the durable content and that range that no
 *   sync or earlier synced write covered read back as zeros after a crash (a hole: unsynced
 *   page-cache data before an O_DSYNC write past it). Such a write is a write and a sync: it
 *   takes `syncDelayMs`, and `failSync` fails it after the bytes reached the page cache, as an
 *   O_DSYNC write whose sync fails. A failing write through it leaves the prefix it wrote
 *   durable, as a short O_DSYNC write followed by a failing one.
 * - A directory entry (create, rename, unlink, mkdir) is durable only after `syncDirectory` of
 *   its parent; an entry survives a crash only if its ancestors' entries do too.
 * - `crash()` returns a new MemoryFileSystem holding only the durable state, optionally keeping a
 *   random prefix of each file's unsynced appended bytes (a torn tail). The original is untouched,
 *   so a test can snapshot "what if the power failed now" at any moment.
 *
 * Faults: `failWrite(n)` makes the n-th write from now fail with EIO, optionally after writing a
 * prefix (a torn write); `failSync(n)` fails the next n file fsyncs; `capacity` makes writes that
 * would grow the total stored bytes past it write what fits and fail with ENOSPC. `syncDelayMs`
 * makes fsync take time, so that concurrent callers can be observed sharing one.
 *
 * Counters in `stats` (writes, bytes, fsyncs, directory fsyncs) let tests assert I/O behaviour.
 *
 * Concurrency: operations complete in the order they are called (each is a resolved promise,
 * except fsync with a delay); there is no interleaving inside one write.
 */
export interface MemoryFileSystemOptions {
  /** Total bytes of file content allowed; writes beyond fail with ENOSPC. */
  capacity?: number;
  /** Milliseconds each file fsync takes. */
  syncDelayMs?: number;
}

export interface WriteFault {
  /** errno code to throw; default EIO. */
  code?: string;
  /** Bytes of the failing write that still reach the file before it fails (a torn write). */
  keepBytes?: number;
  /** Only writes to paths for which this returns true are counted. */
  filter?: (path: string) => boolean;
}

export interface CrashOptions {
  /** Keep a random prefix of each file's unsynced appended bytes (default: keep none). */
  tornTail?: boolean;
  /** Random source in [0, 1) for torn tails; default Math.random. */
  random?: () => number;
}

interface FileNode {
  kind: 'file';
  data: Buffer;
  length: number;
  durable: Buffer;
  /** Spare capacity behind `durable` (a view of it) for synced appends; zeros past `durable`. */
  durableStore?: Buffer;
  mtimeMs: number;
}
interface DirectoryNode {
  kind: 'dir';
  mtimeMs: number;
}
type Node = FileNode | DirectoryNode;

export interface MemoryFileSystemStats {
  writes: number;
  bytesWritten: number;
  fileSyncs: number;
  /** Writes through `syncWrites` handles (each also durable; not counted in `fileSyncs`). */
  syncedWrites: number;
  directorySyncs: number;
}

function fsError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  const error = new Error(`${code}: ${syscall} '${path}'`) as NodeJS.ErrnoException;
  error.code = code;
  error.syscall = syscall;
  error.path = path;
  return error;
}

function normalize(path: string): string {
  const normalized = posix.normalize(posix.isAbsolute(path) ? path : `/${path}`);
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

function newFile(): FileNode {
  return { kind: 'file', data: Buffer.alloc(0), length: 0, durable: Buffer.alloc(0), mtimeMs: Date.now() };
}

export class MemoryFileSystem implements FileSystem {
  readonly stats: MemoryFileSystemStats = {
    writes: 0,
    bytesWritten: 0,
    fileSyncs: 0,
    syncedWrites: 0,
    directorySyncs: 0,
  };
  capacity: number | undefined;
  syncDelayMs: number;

  private readonly nodes = new Map<string, Node>([['/', { kind: 'dir', mtimeMs: Date.now() }]]);
  private readonly durableNodes = new Map<string, Node>([['/', { kind: 'dir', mtimeMs: Date.now() }]]);
  private writeFaults: Array<{ countdown: number; fault: WriteFault }> = [];
  private syncFailures = 0;
  private syncFailureCode = 'EIO';

  constructor(options: MemoryFileSystemOptions = {}) {
    this.capacity = options.capacity;
    this.syncDelayMs = options.syncDelayMs ?? 0;
  }

  /** The `n`-th write from now (1 = the next) fails, after writing `keepBytes` of it if given. */
  failWrite(n: number, fault: WriteFault = {}): void {
    this.writeFaults.push({ countdown: n, fault });
  }

  /** The next `count` file fsyncs (or synced writes) started fail with `code`, after their delay. */
  failSync(count = 1, code = 'EIO'): void {
    this.syncFailures = count;
    this.syncFailureCode = code;
  }

  clearFaults(): void {
    this.writeFaults = [];
    this.syncFailures = 0;
  }

  /** Bytes of file content currently stored (what `capacity` limits). */
  usedBytes(): number {
    let total = 0;
    for (const node of this.nodes.values()) if (node.kind === 'file') total += node.length;
    return total;
  }

  /** The durable content of a file as a crash now would leave it, or undefined if it would vanish. */
  durableContent(path: string): Buffer | undefined {
    const node = this.survivingNodes().get(normalize(path));
    return node?.kind === 'file' ? Buffer.from(node.durable) : undefined;
  }

  /** Simulates power loss: a new file system holding only what was durable. */
  crash(options: CrashOptions = {}): MemoryFileSystem {
    const random = options.random ?? Math.random;
    const next = new MemoryFileSystem({ capacity: this.capacity, syncDelayMs: this.syncDelayMs });
    next.nodes.clear();
    next.durableNodes.clear();
    for (const [path, node] of this.survivingNodes()) {
      let copy: Node;
      if (node.kind === 'dir') {
        copy = { kind: 'dir', mtimeMs: node.mtimeMs };
      } else {
        let content = node.durable;
        if (options.tornTail && node.length > node.durable.length) {
          const unsynced = node.length - node.durable.length;
          const kept = Math.floor(random() * (unsynced + 1));
          content = Buffer.concat([
            node.durable,
            node.data.subarray(node.durable.length, node.durable.length + kept),
          ]);
        }
        copy = {
          kind: 'file',
          data: Buffer.from(content),
          length: content.length,
          durable: Buffer.from(content),
          mtimeMs: node.mtimeMs,
        };
      }
      next.nodes.set(path, copy);
      next.durableNodes.set(path, copy);
    }
    return next;
  }

  private survivingNodes(): Map<string, Node> {
    const result = new Map<string, Node>();
    const paths = [...this.durableNodes.keys()].sort((a, b) => a.length - b.length);
    for (const path of paths) {
      if (path === '/' || result.has(posix.dirname(path))) result.set(path, this.durableNodes.get(path)!);
    }
    return result;
  }

  // --- the port -------------------------------------------------------------------------------

  async open(path: string, mode: OpenMode, options: OpenOptions = {}): Promise<FileHandle> {
    const key = normalize(path);
    let node = this.nodes.get(key);
    if (node?.kind === 'dir') throw fsError('EISDIR', 'open', key);
    if (!node) {
      if (mode === 'r' || mode === 'r+') throw fsError('ENOENT', 'open', key);
      this.requireParent(key, 'open');
      node = newFile();
      this.nodes.set(key, node);
    } else if (mode === 'w+') {
      node.length = 0;
    }
    return new MemoryHandle(this, key, node, mode, options.syncWrites ?? false);
  }

  async readFile(path: string): Promise<Buffer> {
    const node = this.file(path, 'open');
    return Buffer.from(node.data.subarray(0, node.length));
  }

  async writeFile(path: string, data: Buffer): Promise<void> {
    const handle = await this.open(path, 'w+');
    try {
      await handle.write(data, 0);
    } finally {
      await handle.close();
    }
  }

  async mkdir(path: string, options?: { recursive?: boolean }): Promise<void> {
    const key = normalize(path);
    const existing = this.nodes.get(key);
    if (existing) {
      if (options?.recursive && existing.kind === 'dir') return;
      throw fsError('EEXIST', 'mkdir', key);
    }
    const parent = posix.dirname(key);
    if (!this.nodes.has(parent)) {
      if (!options?.recursive) throw fsError('ENOENT', 'mkdir', key);
      await this.mkdir(parent, options);
    }
    this.nodes.set(key, { kind: 'dir', mtimeMs: Date.now() });
  }

  async readdir(path: string): Promise<string[]> {
    const key = normalize(path);
    const node = this.nodes.get(key);
    if (!node) throw fsError('ENOENT', 'scandir', key);
    if (node.kind !== 'dir') throw fsError('ENOTDIR', 'scandir', key);
    const names: string[] = [];
    for (const child of this.nodes.keys()) {
      if (child !== key && posix.dirname(child) === key) names.push(posix.basename(child));
    }
    return names.sort();
  }

  async stat(path: string): Promise<FileStat> {
    const key = normalize(path);
    const node = this.nodes.get(key);
    if (!node) throw fsError('ENOENT', 'stat', key);
    return {
      size: node.kind === 'file' ? node.length : 0,
      isDirectory: node.kind === 'dir',
      isFile: node.kind === 'file',
      mtimeMs: node.mtimeMs,
    };
  }

  async exists(path: string): Promise<boolean> {
    return this.nodes.has(normalize(path));
  }

  async rename(from: string, to: string): Promise<void> {
    const source = normalize(from);
    const target = normalize(to);
    const node = this.nodes.get(source);
    if (!node) throw fsError('ENOENT', 'rename', source);
    this.requireParent(target, 'rename');
    if (node.kind === 'dir') {
      for (const [path, child] of [...this.nodes]) {
        if (path.startsWith(`${source}/`)) {
          this.nodes.delete(path);
          this.nodes.set(target + path.slice(source.length), child);
        }
      }
    }
    this.nodes.delete(source);
    this.nodes.set(target, node);
  }

  async unlink(path: string): Promise<void> {
    const key = normalize(path);
    const node = this.nodes.get(key);
    if (!node) throw fsError('ENOENT', 'unlink', key);
    if (node.kind === 'dir') throw fsError('EISDIR', 'unlink', key);
    this.nodes.delete(key);
  }

  async rmdir(path: string): Promise<void> {
    const key = normalize(path);
    for (const child of [...this.nodes.keys()]) {
      if (child === key || child.startsWith(`${key}/`)) this.nodes.delete(child);
    }
  }

  async syncDirectory(path: string): Promise<void> {
    const key = normalize(path);
    const node = this.nodes.get(key);
    if (!node) throw fsError('ENOENT', 'fsync', key);
    this.stats.directorySyncs++;
    for (const child of [...this.durableNodes.keys()]) {
      if (
        child !== key &&
        posix.dirname(child) === key &&
        this.nodes.get(child) !== this.durableNodes.get(child)
      ) {
        this.durableNodes.delete(child);
      }
    }
    for (const [child, childNode] of this.nodes) {
      if (child !== key && posix.dirname(child) === key) this.durableNodes.set(child, childNode);
    }
  }

  // --- used by handles ------------------------------------------------------------------------

  /** Applies write faults and capacity; returns how many bytes may be written and the error after. */
  admitWrite(
    path: string,
    node: FileNode,
    position: number,
    length: number,
  ): { allowed: number; error?: NodeJS.ErrnoException } {
    this.stats.writes++;
    for (const entry of this.writeFaults) {
      if (entry.fault.filter && !entry.fault.filter(path)) continue;
      entry.countdown--;
      if (entry.countdown === 0) {
        this.writeFaults = this.writeFaults.filter((other) => other !== entry);
        const allowed = Math.min(length, Math.max(0, entry.fault.keepBytes ?? 0));
        return { allowed, error: fsError(entry.fault.code ?? 'EIO', 'write', path) };
      }
    }
    if (this.capacity !== undefined) {
      const growth = Math.max(0, position + length - node.length);
      const free = this.capacity - this.usedBytes();
      if (growth > free) {
        const allowed = Math.max(0, Math.min(length, node.length - position + free));
        return { allowed, error: fsError('ENOSPC', 'write', path) };
      }
    }
    return { allowed: length };
  }

  async beforeSync(path: string, syncedWrite = false): Promise<void> {
    if (syncedWrite) this.stats.syncedWrites++;
    else this.stats.fileSyncs++;
    // Whether it fails is decided when it starts: `failSync` hits the next syncs started.
    const fails = this.syncFailures > 0;
    if (fails) this.syncFailures--;
    if (this.syncDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.syncDelayMs));
    if (fails) throw fsError(this.syncFailureCode, 'fsync', path);
  }

  private file(path: string, syscall: string): FileNode {
    const key = normalize(path);
    const node = this.nodes.get(key);
    if (!node) throw fsError('ENOENT', syscall, key);
    if (node.kind !== 'file') throw fsError('EISDIR', syscall, key);
    return node;
  }

  private requireParent(path: string, syscall: string): void {
    const parent = this.nodes.get(posix.dirname(path));
    if (parent?.kind !== 'dir') throw fsError('ENOENT', syscall, path);
  }
}

function writeInto(node: FileNode, bytes: Buffer, position: number): void {
  const end = position + bytes.length;
  if (end > node.data.length) {
    const grown = Buffer.alloc(Math.max(end, node.data.length * 2, 256));
    node.data.copy(grown, 0, 0, node.length);
    node.data = grown;
  }
  if (position > node.length) node.data.fill(0, node.length, position);
  bytes.copy(node.data, position);
  node.length = Math.max(node.length, end);
  node.mtimeMs = Date.now();
}

class MemoryHandle implements FileHandle {
  private closed = false;

  constructor(
    private readonly fs: MemoryFileSystem,
    private readonly path: string,
    private readonly node: FileNode,
    private readonly mode: OpenMode,
    private readonly syncWrites: boolean,
  ) {}

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    this.check('read');
    const available = Math.max(0, Math.min(length, this.node.length - position));
    this.node.data.copy(buffer, offset, position, position + available);
    return available;
  }

  async write(buffer: Buffer, position?: number): Promise<number> {
    this.check('write');
    if (this.mode === 'r') throw fsError('EBADF', 'write', this.path);
    const at = this.mode === 'a+' || position === undefined ? this.node.length : position;
    const { allowed, error } = this.fs.admitWrite(this.path, this.node, at, buffer.length);
    if (allowed > 0) writeInto(this.node, buffer.subarray(0, allowed), at);
    this.fs.stats.bytesWritten += allowed;
    if (error) {
      // A short O_DSYNC write syncs what it wrote before the next call fails: the prefix stays.
      if (this.syncWrites && allowed > 0) this.makeRangeDurable(buffer.subarray(0, allowed), at);
      throw error;
    }
    if (this.syncWrites) {
      await this.fs.beforeSync(this.path, true);
      this.makeRangeDurable(buffer, at);
    }
    return buffer.length;
  }

  writev(buffers: Buffer[], position?: number): Promise<number> {
    return this.write(buffers.length === 1 ? buffers[0]! : Buffer.concat(buffers), position);
  }

  async sync(): Promise<void> {
    this.check('fsync');
    await this.fs.beforeSync(this.path);
    this.makeDurable();
  }

  private makeDurable(): void {
    this.node.durable = Buffer.from(this.node.data.subarray(0, this.node.length));
    this.node.durableStore = undefined;
  }

  /**
   * An O_DSYNC write completed: `bytes` at `position` are durable, and so is a size reaching
   * them; what lies between the old durable end and `position` is a hole (zeros) unless a sync
   * or another completed write covered it. `bytes` is what this write wrote, not what the file
   * holds there now (a later write may have overwritten it in the page cache).
   */
  private makeRangeDurable(bytes: Buffer, position: number): void {
    const node = this.node;
    const end = position + bytes.length;
    let store = node.durableStore ?? node.durable;
    if (end > store.length) {
      const grown = Buffer.alloc(Math.max(end, store.length * 2, 256));
      node.durable.copy(grown);
      store = grown;
    }
    node.durableStore = store;
    node.durable = store.subarray(0, Math.max(node.durable.length, end));
    bytes.copy(store, position);
  }

  async truncate(length: number): Promise<void> {
    this.check('ftruncate');
    if (length > this.node.length) {
      const capacity = this.fs.capacity;
      if (capacity !== undefined && length - this.node.length > capacity - this.fs.usedBytes()) {
        throw fsError('ENOSPC', 'ftruncate', this.path);
      }
      writeInto(this.node, Buffer.alloc(length - this.node.length), this.node.length);
    } else {
      this.node.length = length;
    }
  }

  async size(): Promise<number> {
    this.check('fstat');
    return this.node.length;
  }

  async close(): Promise<void> {
    this.check('close');
    this.closed = true;
  }

  private check(syscall: string): void {
    if (this.closed) throw fsError('EBADF', syscall, this.path);
  }
}
