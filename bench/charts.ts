/**
 * Redraws the SVG charts of a saved benchmark run:
 *
 *   node --import tsx bench/charts.ts bench/results/<timestamp>.json [--out docs/bench]
 *
 * Without --out the charts go next to the JSON, into bench/results/<timestamp>/.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resultsForCharts, writeCharts } from './lib/charts.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
});
if (values.help || positionals.length !== 1) {
  process.stderr.write('usage: node --import tsx bench/charts.ts <results.json> [--out DIR]\n');
  process.exit(values.help ? 0 : 2);
}
const file = positionals[0]!;
const out = values.out ?? (file.endsWith('.json') ? file.slice(0, -'.json'.length) : `${file}-charts`);
const written = writeCharts(resultsForCharts(JSON.parse(readFileSync(file, 'utf8'))), out);
if (written.length === 0) process.stderr.write(`${file} has no rows the charts draw\n`);
for (const path of written) console.log(path);
