import type { FieldModel, MessageModel, TypeModel } from './model.js';
import { rangeJson } from './versions.js';

/**
 * A compact structural description of every message (names, types, version ranges, defaults),
 * written as JSON for the round-trip tests. The tests build their own value generators from it,
 * so they run from a fresh clone without the specs.
 */
function typeName(type: TypeModel): string {
  if (type.kind === 'array') return `[]${typeName(type.element)}`;
  if (type.kind === 'struct') return type.struct.name;
  return type.name;
}

function fieldShape(field: FieldModel): Record<string, unknown> {
  const shape: Record<string, unknown> = {
    name: field.name,
    type: typeName(field.type),
    versions: rangeJson(field.versions),
  };
  const nullable = rangeJson(field.nullableVersions);
  if (nullable) shape['nullable'] = nullable;
  if (field.tag !== null) {
    shape['tag'] = field.tag;
    shape['tagged'] = rangeJson(field.taggedVersions);
  }
  const value = field.defaultValue;
  switch (value.kind) {
    case 'null':
      shape['default'] = null;
      break;
    case 'number':
    case 'bool':
    case 'string':
      shape['default'] = value.value;
      break;
    case 'bigint':
      shape['default'] = String(value.value);
      break;
    default:
      break;
  }
  return shape;
}

export function emitShapes(messages: MessageModel[]): string {
  const out: string[] = ['{', '  "messages": ['];
  messages.forEach((message, index) => {
    const head = {
      name: message.name,
      module: message.module,
      internal: message.internal,
      apiKey: message.apiKey,
      versions: rangeJson(message.validVersions),
      flexible: rangeJson(message.flexibleVersions),
    };
    out.push(`    {`);
    for (const [key, value] of Object.entries(head))
      out.push(`      ${JSON.stringify(key)}: ${JSON.stringify(value)},`);
    out.push('      "structs": {');
    message.structs.forEach((struct, structIndex) => {
      out.push(`        ${JSON.stringify(struct.name)}: [`);
      struct.fields.forEach((field, fieldIndex) => {
        const comma = fieldIndex < struct.fields.length - 1 ? ',' : '';
        out.push(`          ${JSON.stringify(fieldShape(field))}${comma}`);
      });
      out.push(`        ]${structIndex < message.structs.length - 1 ? ',' : ''}`);
    });
    out.push('      }');
    out.push(`    }${index < messages.length - 1 ? ',' : ''}`);
  });
  out.push('  ]', '}');
  return `${out.join('\n')}\n`;
}
