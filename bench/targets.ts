/**
 * Prints the performance targets of docs/benchmarks.md, checked against a saved benchmark run:
 *
 *   node --import tsx bench/targets.ts bench/results/<timestamp>.json
 *
 * The same table ends the report of every `npm run bench`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkTargets, renderTargets, resultsForTargets } from './lib/targets.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { help: { type: 'boolean', short: 'h', default: false } },
});
if (values.help || positionals.length !== 1) {
  process.stderr.write('usage: node --import tsx bench/targets.ts <results.json>\n');
  process.exit(values.help ? 0 : 2);
}
const file = positionals[0]!;
console.log(renderTargets(checkTargets(resultsForTargets(JSON.parse(readFileSync(file, 'utf8'))))));
