/**
 * One end-to-end latency run (`latencyRun` in bench/lib/scenarios.ts) in a process of its own,
 * so that the benchmark process's own work and garbage collection do not land in the figures.
 *
 *   node --import tsx bench/latency/main.ts '<LatencyOptions as JSON>'
 *
 * Prints the LatencyResult as one JSON line (NaN as null).
 */
import { type LatencyOptions, latencyRun } from '../lib/scenarios.js';

const options = JSON.parse(process.argv[2] ?? '') as LatencyOptions;
const result = await latencyRun(options);
process.stdout.write(`${JSON.stringify(result)}\n`);
