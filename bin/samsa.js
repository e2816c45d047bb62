#!/usr/bin/env -S node --no-memory-reducer --initial-old-space-size=64
// The `samsa` command. Runs the compiled CLI (npm run build produces dist/).
//
// Both V8 options are also in `npm start` and the benchmark's spawn (bench/lib/processes.ts);
// each can only be set on the command line, before the heap exists.
//
// --no-memory-reducer: V8's memory reducer
// collects a heap that has been idle for a while, and a broker it had collected stayed in a mode
// that needs ~1.6x the CPU per record: 100 B produce on one partition went from 5.2 M to 3.2-3.4 M
// records/s after 60 s idle, and stayed there. It can only be turned off on the command line,
// not from here (setFlagsFromString came too late to make a difference, measured).
//
// --initial-old-space-size=64: V8 skips full collections while the old generation is under
// 64 MiB. The broker's live heap is ~12 MiB, and V8 sized its full-GC limit from that, so the
// socket and request Buffers that a produce load keeps in flight (counted against the same
// limit) set off a mark-compact every ~90 ms: 116 in 10 s of 1 KiB produce on one partition,
// ~18 % of the machine's CPU samples. With the floor: none, and 1 KiB produce gained 1.05-1.28x
// with the same peak RSS (docs/design.md).
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

// Cap V8's young generation at a 4 MiB semi-space instead of letting it grow to 16 MiB.
// Under produce load the broker allocates little on the JS heap but many socket and frame Buffers,
// whose memory is returned only when the young generation is collected; with a large, rarely
// collected young generation that memory piles up and V8 answers with full mark-compacts every
// 50-90 ms. A 1 MiB young generation frees it, but then many small requests in flight (100
// producers) survive the frequent scavenges and cost more than they save. --max-semi-space-size
// cannot be set once the heap exists; the growth factor is read at each scavenge, so growth is
// switched off while the young generation is at the cap and back on if V8 shrinks it.
const CAP_BYTES = 2 * 4 * 1024 * 1024; // new_space counts both semi-spaces
let growing = true;
const capYoungGeneration = () => {
  const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  const grow = newSpace === undefined || newSpace.space_size < CAP_BYTES;
  if (grow === growing) return;
  growing = grow;
  setFlagsFromString(`--semi-space-growth-factor=${grow ? 2 : 1}`);
};
new PerformanceObserver(capYoungGeneration).observe({ entryTypes: ['gc'] });

const { main } = await import('../dist/cli/main.js');

main(process.argv).catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
