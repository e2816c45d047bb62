#!/usr/bin/env node
// The `samsa` command. Runs the compiled CLI (npm run build produces dist/).
import { setFlagsFromString } from 'node:v8';

// Keep V8's young generation at its initial 1 MiB semi-space instead of letting it grow to 16 MiB.
// A broker allocates little on the JS heap but many socket and frame Buffers, whose memory is
// returned only when the young generation is collected; with a large, rarely collected young
// generation that memory piles up and V8 answers with full mark-compacts every 50-90 ms under
// produce load. Frequent, cheap scavenges free it instead. (--max-semi-space-size cannot be set
// once the heap exists; the growth factor is read at each scavenge, so it can.)
setFlagsFromString('--semi-space-growth-factor=1');
const { main } = await import('../dist/cli/main.js');

main(process.argv).catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
