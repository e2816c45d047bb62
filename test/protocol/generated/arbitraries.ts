import fc from 'fast-check';
import { type FieldShape, inRange, type MessageShape } from './shapes.js';

/**
 * Value generators for every generated message, built from shapes.json rather than from the
 * generated code, so a codec bug is not mirrored by its own test. A value for version v has every
 * field the version lacks at its default, nulls only where v allows them, and unknown tagged fields
 * only in flexible versions, with tags no known field of the struct uses.
 */

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const SCALARS = new Set([
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

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const uuidArbitrary = fc.oneof(
  { weight: 1, arbitrary: fc.constant(ZERO_UUID) },
  {
    weight: 4,
    arbitrary: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => {
      const text = hex(bytes);
      return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
    }),
  },
);
const bytesArbitrary = fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes));

function scalarArbitrary(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'bool':
      return fc.boolean();
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'int32':
      return fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
    case 'uint16':
      return fc.integer({ min: 0, max: 0xffff });
    case 'uint32':
      return fc.integer({ min: 0, max: 0xffff_ffff });
    case 'int64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'float64':
      return fc.double();
    case 'uuid':
      return uuidArbitrary;
    case 'string':
      return fc.string({ unit: 'binary', maxLength: 10 });
    case 'bytes':
    case 'records':
      return bytesArbitrary;
    default:
      throw new Error(`unknown scalar ${type}`);
  }
}

export class ShapeArbitraries {
  private readonly cache = new Map<string, fc.Arbitrary<Record<string, unknown>>>();

  constructor(private readonly message: MessageShape) {}

  private isFlexible(version: number): boolean {
    return inRange(this.message.flexible, version);
  }

  /** The value a field takes when the version does not carry it (mirrors the spec defaults). */
  defaultOf(field: FieldShape): unknown {
    if (field.default === null) return null;
    if (field.type.startsWith('[]')) return [];
    if (this.message.structs[field.type]) return this.defaultStruct(field.type);
    if (field.type === 'int64') return BigInt(field.default ?? 0);
    if (field.type === 'uuid') return ZERO_UUID;
    if (field.type === 'bytes' || field.type === 'records') return Buffer.alloc(0);
    if (field.default !== undefined) return field.default;
    if (field.type === 'bool') return false;
    if (field.type === 'string') return '';
    return 0;
  }

  defaultStruct(name: string): Record<string, unknown> {
    const value: Record<string, unknown> = {};
    for (const field of this.message.structs[name]!) value[field.name] = this.defaultOf(field);
    return value;
  }

  private typeArbitrary(type: string, version: number, depth: number): fc.Arbitrary<unknown> {
    if (type.startsWith('[]')) {
      const element = type.slice(2);
      const isStruct = !SCALARS.has(element);
      return fc.array(this.typeArbitrary(element, version, depth + 1), { maxLength: isStruct ? 2 : 3 });
    }
    if (SCALARS.has(type)) return scalarArbitrary(type);
    return this.struct(type, version, depth);
  }

  private fieldArbitrary(field: FieldShape, version: number, depth: number): fc.Arbitrary<unknown> {
    if (!inRange(field.versions, version)) return fc.constant(this.defaultOf(field));
    const value = this.typeArbitrary(field.type, version, depth);
    return inRange(field.nullable, version) ? fc.option(value, { nil: null, freq: 4 }) : value;
  }

  private unknownTags(name: string): fc.Arbitrary<{ tag: number; data: Buffer }[]> {
    const known = new Set(
      this.message.structs[name]!.flatMap((field) => (field.tag === undefined ? [] : [field.tag])),
    );
    const tag = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 0x7fff_ffff }));
    return fc
      .uniqueArray(
        tag.filter((value) => !known.has(value)),
        { minLength: 1, maxLength: 3 },
      )
      .chain((tags) =>
        fc.tuple(
          ...tags.sort((a, b) => a - b).map((value) => bytesArbitrary.map((data) => ({ tag: value, data }))),
        ),
      );
  }

  /** Values of struct `name` valid for `version`. */
  struct(name: string, version: number, depth = 0): fc.Arbitrary<Record<string, unknown>> {
    const key = `${name}@${version}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    const fields = this.message.structs[name]!;
    for (const field of fields) model[field.name] = this.fieldArbitrary(field, version, depth);
    let arbitrary: fc.Arbitrary<Record<string, unknown>>;
    if (this.isFlexible(version)) {
      model['unknownTaggedFields'] = this.unknownTags(name);
      arbitrary = fc.record(model, {
        requiredKeys: fields.map((field) => field.name),
        noNullPrototype: true,
      });
    } else {
      arbitrary = fc.record(model, { noNullPrototype: true });
    }
    this.cache.set(key, arbitrary);
    return arbitrary;
  }

  root(version: number): fc.Arbitrary<Record<string, unknown>> {
    return this.struct(this.message.name, version);
  }
}
