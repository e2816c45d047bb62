import { closeSync } from 'node:fs';
import { endianness } from 'node:os';
import { loadLibc, type NativeFunction } from './libc.js';

/**
 * `sendfile(2)` and the two calls around it, reached through koffi (util/libc.ts): Node has no
 * sendfile for sockets. Fetch responses use it to hand log bytes from the page cache to a socket
 * without copying them through the JavaScript heap (see docs/design.md, Decisions).
 *
 * The event loop never waits on the disk: a range whose pages are all in the page cache (asked
 * of the kernel with `cachestat`, Linux 6.5+) is sent from the event loop, where a call costs no
 * more than the copy it replaces; any other range, and every wait for socket space (poll), runs
 * on libuv's thread pool through koffi's asynchronous calls. `dup` runs on the event loop: it only
 * copies a descriptor.
 *
 * Linux only; elsewhere, or when koffi cannot load, `nativeFiles()` is undefined and responses
 * are read into memory as before.
 */
export interface NativeFiles {
  /** A new descriptor for the open file of `fd`, owned by the caller. */
  duplicate(fd: number): number;
  /**
   * Sends `length` bytes of the file `fileFd` from `position` to the socket `socketFd`
   * (non-blocking, as Node's are), waiting for socket space as needed. Stops with an error when
   * the file ends early, the socket fails, or `stopped()` turns true while waiting.
   */
  sendFile(
    socketFd: number,
    fileFd: number,
    position: number,
    length: number,
    stopped: () => boolean,
  ): Promise<void>;
}

const POLLOUT = 0x004;
const POLLERR = 0x008;
const POLLHUP = 0x010;
const POLLNVAL = 0x020;
/** How long one wait for socket space lasts before `stopped()` is asked again. */
const POLL_TIMEOUT_MS = 500;
/** Largest count handed to one sendfile call (Linux caps a call near 2 GiB anyway). */
const MAX_CALL_BYTES = 1 << 30;

const EAGAIN = 11;
const SYS_CACHESTAT = 451; // the same number on every Linux architecture
const SC_PAGESIZE = 30;

let loaded: NativeFiles | null | undefined;

/** The native calls, or undefined where they are not available. Loaded once. */
export function nativeFiles(): NativeFiles | undefined {
  if (loaded === undefined) loaded = load();
  return loaded ?? undefined;
}

function load(): NativeFiles | null {
  const native = loadLibc();
  if (native === null) return null;
  const { koffi, libc } = native;
  koffi.struct('samsa_pollfd', { fd: 'int', events: 'short', revents: 'short' });
  const dup = libc.func('int dup(int fd)');
  const sendfile = libc.func('long sendfile(int out_fd, int in_fd, int64_t *offset, size_t count)');
  const poll = libc.func('int poll(_Inout_ samsa_pollfd *fds, unsigned long nfds, int timeout)');
  // syscall(2) is variadic; with integer and pointer arguments only, a fixed prototype passes
  // them the same way and is several times cheaper to call through koffi.
  const syscall = libc.func('long syscall(long number, int fd, void *range, void *stat, unsigned int flags)');
  const pageSize = Number(libc.func('long sysconf(int name)')(SC_PAGESIZE));
  const range = Buffer.alloc(16);
  const stat = Buffer.alloc(40);
  let cachestatWorks = endianness() === 'LE' && pageSize > 0;

  /** Whether every page of the range is in the page cache (false when the kernel cannot say). */
  const cached = (fd: number, position: number, length: number): boolean => {
    if (!cachestatWorks) return false;
    range.writeBigUInt64LE(BigInt(position), 0);
    range.writeBigUInt64LE(BigInt(length), 8);
    if (Number(syscall(SYS_CACHESTAT, fd, range, stat, 0)) !== 0) {
      if (koffi.errno() === 38 /* ENOSYS */) cachestatWorks = false;
      return false;
    }
    const pages = Math.ceil((position + length) / pageSize) - Math.floor(position / pageSize);
    return Number(stat.readBigUInt64LE(0)) >= pages;
  };

  const call = (fn: NativeFunction, ...args: unknown[]): Promise<number> =>
    new Promise((resolve, reject) => {
      fn.async(...args, (error: unknown, result: number | bigint) => {
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(Number(result));
      });
    });

  /** Waits for socket space; throws once `stopped()` says the send is abandoned, or the socket fails. */
  const waitWritable = async (socketFd: number, stopped: () => boolean): Promise<void> => {
    for (;;) {
      if (stopped()) throw new SendFileError('the connection closed during the send');
      // koffi writes the result into a new object in the array, not into the one passed.
      const fds = [{ fd: socketFd, events: POLLOUT, revents: 0 }];
      const ready = await call(poll, fds, 1, POLL_TIMEOUT_MS);
      if (ready < 0) throw new SendFileError('poll on the socket failed');
      const revents = fds[0]!.revents;
      if (revents & (POLLERR | POLLHUP | POLLNVAL)) throw new SendFileError('the socket failed');
      if (revents & POLLOUT) return;
    }
  };

  return {
    duplicate(fd) {
      const copy = Number(dup(fd));
      if (copy < 0) throw new SendFileError(`dup of descriptor ${fd} failed`);
      return copy;
    },
    async sendFile(socketFd, fileFd, position, length, stopped) {
      let at = position;
      const end = position + length;
      const hot = cached(fileFd, position, length);
      // A failed asynchronous call right after poll reported space is an error of the file or
      // the socket (asynchronous calls do not report errno): give up after two.
      let failures = 0;
      while (at < end) {
        if (stopped()) throw new SendFileError('the connection closed during the send');
        const count = Math.min(end - at, MAX_CALL_BYTES);
        let sent: number;
        if (hot) {
          sent = Number(sendfile(socketFd, fileFd, [at], count));
          if (sent < 0 && koffi.errno() !== EAGAIN) {
            throw new SendFileError(`sendfile failed with errno ${koffi.errno()}`);
          }
        } else {
          sent = await call(sendfile, socketFd, fileFd, [at], count);
          if (sent < 0 && ++failures > 2) throw new SendFileError('sendfile failed');
        }
        if (sent > 0) {
          at += sent;
          failures = 0;
          continue;
        }
        if (sent === 0) throw new SendFileError(`the file ended at ${at}, before ${end}`);
        await waitWritable(socketFd, stopped);
      }
    },
  };
}

export class SendFileError extends Error {
  override name = 'SendFileError';
}

/** Closes a descriptor made by `duplicate`, ignoring one already closed. */
export function closeDescriptor(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
