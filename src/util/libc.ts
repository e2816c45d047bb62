import { createRequire } from 'node:module';

/**
 * Linux's C library through koffi (a foreign function interface that ships prebuilt binaries in
 * its npm package), for the few calls Node does not offer: sendfile to a socket
 * (util/sendfile.ts) and thread scheduling (util/thread-scheduling.ts). Loaded once.
 */

/** A C function bound by koffi; `async` runs it on libuv's thread pool. */
export type NativeFunction = ((...args: unknown[]) => unknown) & { async(...args: unknown[]): void };

export interface Koffi {
  load(path: string): Library;
  struct(name: string, fields: Record<string, string>): unknown;
  errno(): number;
}

export interface Library {
  func(signature: string): NativeFunction;
}

let loaded: { koffi: Koffi; libc: Library } | null | undefined;

/** koffi and libc, or null where they are not available (not Linux, or koffi does not load). */
export function loadLibc(): { koffi: Koffi; libc: Library } | null {
  if (loaded === undefined) loaded = load();
  return loaded;
}

function load(): { koffi: Koffi; libc: Library } | null {
  if (process.platform !== 'linux') return null;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as Koffi;
    return { koffi, libc: koffi.load('libc.so.6') };
  } catch {
    return null;
  }
}
