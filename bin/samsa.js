#!/usr/bin/env node
// The `samsa` command. Runs the compiled CLI (npm run build produces dist/).
import { main } from '../dist/cli/main.js';

main(process.argv).catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
