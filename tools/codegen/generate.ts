import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { emitApiKeys, pairApis } from './emit-api-keys.js';
import { emitMessage, GENERATED_BANNER } from './emit-message.js';
import { emitRuntime } from './emit-runtime.js';
import { emitShapes } from './emit-shapes.js';
import { emitErrorCodes, loadErrorTable } from './errors-table.js';
import { buildMessage, type MessageModel } from './model.js';
import { readSpecFolder } from './spec.js';

/** Where generated files go, relative to the repository root (or to `--out`). */
export const GENERATED_DIR = 'src/protocol/generated';
export const SHAPES_FILE = 'test/protocol/generated/shapes.json';

export interface Generated {
  /** Relative path -> file content. */
  files: Map<string, string>;
  errorTableSource: string;
}

function exportedNames(message: MessageModel): string[] {
  return message.structs.flatMap((struct) => [struct.name, `create${struct.name}`]);
}

function checkUnique(names: Iterable<[string, string]>): void {
  const seen = new Map<string, string>();
  for (const [name, where] of names) {
    const before = seen.get(name);
    if (before !== undefined)
      throw new Error(`exported name ${name} is defined by both ${before} and ${where}`);
    seen.set(name, where);
  }
}

/** Generates every output file from the spec folders; nothing is written here. */
export function generate(messageFolder: string): Generated {
  const root = dirname(messageFolder);
  const internalFolder = join(root, 'internal');
  const messages = readSpecFolder(messageFolder).map((spec) => buildMessage(spec, false));
  const internals = existsSync(internalFolder)
    ? readSpecFolder(internalFolder).map((spec) => buildMessage(spec, true))
    : [];
  const files = new Map<string, string>();
  const pairs = pairApis(messages);
  const errors = loadErrorTable(join(root, 'docs'));

  const publicNames: [string, string][] = [];
  for (const message of messages) {
    files.set(`${GENERATED_DIR}/${message.module}.ts`, emitMessage(message));
    for (const name of exportedNames(message)) publicNames.push([name, message.module]);
  }
  const internalNames: [string, string][] = [];
  for (const message of internals) {
    files.set(`${GENERATED_DIR}/internal/${message.module}.ts`, emitMessage(message));
    for (const name of exportedNames(message)) internalNames.push([name, `internal/${message.module}`]);
  }
  files.set(`${GENERATED_DIR}/runtime.ts`, emitRuntime());
  files.set(`${GENERATED_DIR}/api-keys.ts`, emitApiKeys(pairs));
  files.set(`${GENERATED_DIR}/error-codes.ts`, emitErrorCodes(errors.rows));

  for (const name of ['ApiKey', 'ApiKeyName', 'ApiDefinition', 'Apis', 'API_DEFINITIONS', 'apiDefinition']) {
    publicNames.push([name, 'api-keys']);
  }
  for (const name of ['ErrorCode', 'ErrorName', 'ErrorCodeInfo', 'ERROR_CODES', 'errorName', 'isRetriable']) {
    publicNames.push([name, 'error-codes']);
  }
  publicNames.push(['ZERO_UUID', 'runtime'], ['internal', 'internal/index']);
  checkUnique(publicNames);
  checkUnique(internalNames);

  const index = [GENERATED_BANNER];
  for (const message of messages) index.push(`export * from './${message.module}.js';`);
  index.push("export * from './api-keys.js';", "export * from './error-codes.js';");
  index.push("export { ZERO_UUID } from './runtime.js';");
  if (internals.length > 0) index.push("export * as internal from './internal/index.js';");
  files.set(`${GENERATED_DIR}/index.ts`, `${index.join('\n')}\n`);
  if (internals.length > 0) {
    const internalIndex = [GENERATED_BANNER, ...internals.map((m) => `export * from './${m.module}.js';`)];
    files.set(`${GENERATED_DIR}/internal/index.ts`, `${internalIndex.join('\n')}\n`);
  }
  files.set(SHAPES_FILE, emitShapes([...messages, ...internals]));
  return { files, errorTableSource: errors.source };
}

function removeTree(folder: string): void {
  if (!existsSync(folder)) return;
  for (const entry of readdirSync(folder)) rmSync(join(folder, entry), { recursive: true, force: true });
}

/** Writes the files under `outRoot`, replacing whatever the generated folder held before. */
export function writeGenerated(generated: Generated, outRoot: string): void {
  removeTree(join(outRoot, GENERATED_DIR));
  for (const [path, content] of generated.files) {
    const target = join(outRoot, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}
