/**
 * Entry point of the protocol code generator: `npm run codegen [-- --specs <folder>] [--out <root>]`.
 *
 * Reads Kafka's message specs (default ../shared/kafka-protocol/message beside the repository,
 * or $SAMSA_KAFKA_SPECS, or --specs / a positional argument) plus the sibling internal/ and docs/
 * folders, and writes src/protocol/generated/ and test/protocol/generated/shapes.json under the
 * repository root, or under --out when given (the currency test compares such a copy).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, writeGenerated } from './generate.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));

function parseArgs(argv: string[]): { specs: string; out: string } {
  let specs = process.env['SAMSA_KAFKA_SPECS'] ?? resolve(repositoryRoot, '../shared/kafka-protocol/message');
  let out = repositoryRoot;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--out') out = resolve(argv[++i] ?? '');
    else if (arg === '--specs') specs = resolve(argv[++i] ?? '');
    else if (!arg.startsWith('--')) specs = resolve(arg);
    else throw new Error(`unknown option ${arg}`);
  }
  return { specs, out };
}

const { specs, out } = parseArgs(process.argv.slice(2));
if (!existsSync(specs)) {
  console.error(`codegen: spec folder ${specs} not found (set SAMSA_KAFKA_SPECS or pass --specs)`);
  process.exit(1);
}
const generated = generate(specs);
writeGenerated(generated, out);
console.log(
  `codegen: wrote ${generated.files.size} files under ${out} (error codes from ${generated.errorTableSource})`,
);
