import type { FieldSpec, MessageSpec, StructSpec } from './spec.js';
import { intersect, isEmpty, NO_VERSIONS, parseVersions, type VersionRange } from './versions.js';

/** The scalar types of the specs; `records` is an opaque byte blob (record batches). */
export type PrimitiveName =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint16'
  | 'uint32'
  | 'float64'
  | 'uuid'
  | 'string'
  | 'bytes'
  | 'records';

const PRIMITIVES = new Set<string>([
  'bool',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint16',
  'uint32',
  'float64',
  'uuid',
  'string',
  'bytes',
  'records',
]);

export type TypeModel =
  | { kind: 'primitive'; name: PrimitiveName }
  | { kind: 'struct'; struct: StructModel }
  | { kind: 'array'; element: TypeModel };

/** A default value: how to print it in TypeScript and how to write it in the test shapes file. */
export type DefaultModel =
  | { kind: 'null' }
  | { kind: 'number'; value: number }
  | { kind: 'bigint'; value: bigint }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'uuid' }
  | { kind: 'bytes' }
  | { kind: 'array' }
  | { kind: 'struct' };

export interface FieldModel {
  /** camelCase property name. */
  name: string;
  specName: string;
  type: TypeModel;
  /** Versions in which the field is on the wire (within its struct's versions). */
  versions: VersionRange;
  nullableVersions: VersionRange;
  /** Versions in which the field travels as a tagged field; empty for regular fields. */
  taggedVersions: VersionRange;
  tag: number | null;
  /** Versions in which strings, bytes and arrays use compact encodings. */
  flexibleVersions: VersionRange;
  defaultValue: DefaultModel;
}

export interface StructModel {
  /** TypeScript name: the message name for the root, `<Message><Struct>` for the others. */
  name: string;
  specName: string;
  fields: FieldModel[];
  /** Versions of the message in which this struct can be encoded. */
  versions: VersionRange;
}

export interface MessageModel {
  name: string;
  type: MessageSpec['type'];
  apiKey: number | null;
  /** Kebab-case module name without extension, e.g. `fetch-request`. */
  module: string;
  internal: boolean;
  validVersions: VersionRange;
  flexibleVersions: VersionRange;
  root: StructModel;
  /** Every struct of the message, root first, in spec order. */
  structs: StructModel[];
}

export function camelCase(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

function parseInteger(raw: string | number, what: string): number {
  const text = String(raw).trim();
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const value = /^0x[0-9a-f]+$/i.test(body) ? Number.parseInt(body.slice(2), 16) : Number(body);
  if (!Number.isFinite(value)) throw new Error(`${what}: bad integer default "${raw}"`);
  return negative ? -value : value;
}

function parseDefault(field: FieldSpec, type: TypeModel, nullable: VersionRange, what: string): DefaultModel {
  const raw = field.default;
  const isNull = raw === null || raw === 'null';
  if (isNull && !isEmpty(nullable)) return { kind: 'null' };
  if (type.kind === 'array') return { kind: 'array' };
  if (type.kind === 'struct') return { kind: 'struct' };
  switch (type.name) {
    case 'bool':
      return { kind: 'bool', value: raw === true || raw === 'true' };
    case 'int8':
    case 'int16':
    case 'int32':
    case 'uint16':
    case 'uint32':
      return {
        kind: 'number',
        value: raw === undefined || raw === '' ? 0 : parseInteger(raw as string, what),
      };
    case 'int64': {
      if (raw === undefined || raw === '') return { kind: 'bigint', value: 0n };
      const text = String(raw).trim();
      const negative = text.startsWith('-');
      const body = negative ? text.slice(1) : text;
      const value = BigInt(body);
      return { kind: 'bigint', value: negative ? -value : value };
    }
    case 'float64':
      return { kind: 'number', value: raw === undefined || raw === '' ? 0 : Number(raw) };
    case 'string':
      return { kind: 'string', value: raw === undefined ? '' : String(raw) };
    case 'uuid':
      return { kind: 'uuid' };
    case 'bytes':
      return { kind: 'bytes' };
    case 'records':
      // Record data is `Buffer | null`: null where the wire allows it, empty otherwise.
      return isEmpty(nullable) ? { kind: 'bytes' } : { kind: 'null' };
  }
}

interface BuildContext {
  message: MessageSpec;
  common: Map<string, StructSpec>;
  structs: Map<string, StructModel>;
  order: StructModel[];
  flexible: VersionRange;
}

function structFor(
  ctx: BuildContext,
  specName: string,
  fields: FieldSpec[] | undefined,
  versions: VersionRange,
): StructModel {
  const common = ctx.common.get(specName);
  if (fields === undefined && common === undefined) {
    throw new Error(`${ctx.message.name}: struct ${specName} has no fields and is not a common struct`);
  }
  if (fields === undefined || fields.length === 0) {
    const existing = ctx.structs.get(specName);
    if (existing) return existing;
  }
  if (ctx.structs.has(specName)) {
    throw new Error(`${ctx.message.name}: struct ${specName} is defined twice`);
  }
  // Common structs can be used from several places: give them the message's whole range.
  const structVersions = common ? ctx.structs.get(ctx.message.name)!.versions : versions;
  const struct: StructModel = {
    name: `${ctx.message.name}${specName}`,
    specName,
    fields: [],
    versions: structVersions,
  };
  ctx.structs.set(specName, struct);
  ctx.order.push(struct);
  struct.fields = (common ? common.fields : fields!).map((field) => buildField(ctx, field, structVersions));
  return struct;
}

function typeFor(ctx: BuildContext, field: FieldSpec, versions: VersionRange): TypeModel {
  let name = field.type;
  const isArray = name.startsWith('[]');
  if (isArray) name = name.slice(2);
  let element: TypeModel;
  if (PRIMITIVES.has(name)) {
    if (field.fields) throw new Error(`${ctx.message.name}.${field.name}: primitive with fields`);
    element = { kind: 'primitive', name: name as PrimitiveName };
  } else {
    element = { kind: 'struct', struct: structFor(ctx, name, field.fields, versions) };
  }
  return isArray ? { kind: 'array', element } : element;
}

function buildField(ctx: BuildContext, field: FieldSpec, structVersions: VersionRange): FieldModel {
  const what = `${ctx.message.name}.${field.name}`;
  const tagged = parseVersions(field.taggedVersions, what);
  // A field without "versions" exists exactly in its tagged versions.
  const declared = field.versions === undefined ? tagged : parseVersions(field.versions, what);
  const versions = intersect(declared, structVersions);
  const nullableVersions = intersect(parseVersions(field.nullableVersions, what), declared);
  const type = typeFor(ctx, field, isEmpty(versions) ? declared : versions);
  if (!isEmpty(tagged)) {
    if (field.tag === undefined) throw new Error(`${what}: taggedVersions without a tag`);
    if (tagged.lowest !== declared.lowest || tagged.highest !== declared.highest) {
      throw new Error(`${what}: fields that are tagged in only some versions are not supported`);
    }
  }
  const flexibleVersions =
    field.flexibleVersions === undefined
      ? ctx.flexible
      : intersect(parseVersions(field.flexibleVersions, what), ctx.flexible);
  return {
    name: camelCase(field.name),
    specName: field.name,
    type,
    versions,
    nullableVersions,
    taggedVersions: isEmpty(tagged) ? NO_VERSIONS : intersect(tagged, versions),
    tag: isEmpty(tagged) ? null : Number(field.tag),
    flexibleVersions,
    defaultValue: parseDefault(field, type, nullableVersions, what),
  };
}

export function buildMessage(spec: MessageSpec, internal: boolean): MessageModel {
  const validVersions = parseVersions(spec.validVersions, spec.name);
  const flexibleVersions = intersect(parseVersions(spec.flexibleVersions, spec.name), validVersions);
  const ctx: BuildContext = {
    message: spec,
    common: new Map((spec.commonStructs ?? []).map((struct) => [struct.name, struct])),
    structs: new Map(),
    order: [],
    flexible: flexibleVersions,
  };
  const root: StructModel = { name: spec.name, specName: spec.name, fields: [], versions: validVersions };
  ctx.structs.set(spec.name, root);
  ctx.order.push(root);
  root.fields = spec.fields.map((field) => buildField(ctx, field, validVersions));
  // Common structs nobody references still get their types emitted.
  for (const common of spec.commonStructs ?? []) {
    if (!ctx.structs.has(common.name)) structFor(ctx, common.name, undefined, validVersions);
  }
  return {
    name: spec.name,
    type: spec.type,
    apiKey: spec.apiKey ?? null,
    module: kebabCase(spec.name),
    internal,
    validVersions,
    flexibleVersions,
    root,
    structs: ctx.order,
  };
}
