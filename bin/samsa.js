#!/usr/bin/env -S node --no-memory-reducer --initial-old-space-size=64
// The `samsa` command. Runs the compiled CLI (npm run build produces dist/).
//
// Both V8 options are also in `npm start` and the benchmark's spawn (bench/lib/processes.ts);
// each can only be set on the command line, before the heap exists.
//
// --no-memory-reducer: V8's memory reducer collects a heap that has been idle for a while, and a
// broker it had collected stayed in a mode that needs ~1.6x the CPU per record: 100 B produce on
// one partition went from 5.2 M to 3.2-3.4 M records/s after 60 s idle, and stayed there
// (setFlagsFromString from here came too late to make a difference, measured).
//
// --initial-old-space-size=64: V8 skips full collections while the old generation is under
// 64 MiB. The broker's live heap is ~12 MiB, and V8 sized its full-GC limit from that, so the
// socket and request Buffers that a produce load keeps in flight (counted against the same
// limit) set off a mark-compact every ~90 ms: 116 in 10 s of 1 KiB produce on one partition,
// ~18 % of the machine's CPU samples. With the floor: none, and 1 KiB produce gained 1.05-1.28x.
//
// The young generation keeps V8's default (semi-spaces growing to 16 MiB). It used to be capped
// at 4 MiB from here, against the same full collections; with the floor the cap only cost
// throughput and p99 latency, so it went (docs/design.md).
//
// dist/samsa.js is the CLI bundled into one file (npm run bundle, esbuild; packages stay external):
// Node 20 loads the ~350 modules of dist/ one by one otherwise, and that import took 349-467 ms
// against 149-195 ms for the bundle, on a machine where the broker then listened after 655-727 ms
// instead of 401-438 ms (4 alternating starts each).
//
// UV_THREADPOOL_SIZE=16 unless set: libuv's threads run the broker's file I/O, and in fsync
// durability each synced write holds one for its whole duration. With 1,000 busy partitions the
// default 4 threads were the limit (requests rarely share a partition, so each is its own synced
// write): 16 threads took 100 B produce on 1,000 partitions from 1.09-1.22 M to 1.28-1.77 M
// records/s and 1 KiB from 132-149 k to 158-173 k (7 pairs, docs/design.md). libuv reads it once,
// when its pool starts, and Node's ES module loader starts it to read the first module: so this
// file is CommonJS (bin/package.json) and loads the CLI only after setting it.
process.env.UV_THREADPOOL_SIZE ??= '16';

import('../dist/samsa.js')
  .then(({ main }) => main(process.argv))
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
