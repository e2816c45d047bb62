import { quote } from './code.js';
import { GENERATED_BANNER } from './emit-message.js';
import type { MessageModel } from './model.js';

/** Request header v0 (no client id) survives only for ControlledShutdown v0. */
const REQUEST_HEADER_V0: Record<string, number[]> = { ControlledShutdown: [0] };
/** Clients parse the ApiVersions response before they know its version: header v0, always. */
const RESPONSE_HEADER_V0_ALWAYS = new Set(['ApiVersions']);

export interface ApiPair {
  name: string;
  apiKey: number;
  request: MessageModel;
  response: MessageModel;
}

export function pairApis(messages: MessageModel[]): ApiPair[] {
  const requests = new Map<number, MessageModel>();
  const responses = new Map<number, MessageModel>();
  for (const message of messages) {
    if (message.internal || message.apiKey === null) continue;
    if (message.type === 'request') requests.set(message.apiKey, message);
    if (message.type === 'response') responses.set(message.apiKey, message);
  }
  const pairs: ApiPair[] = [];
  for (const [apiKey, request] of requests) {
    const response = responses.get(apiKey);
    if (!response) throw new Error(`${request.name} has no response spec`);
    if (!request.name.endsWith('Request')) throw new Error(`${request.name}: request name without Request`);
    pairs.push({ name: request.name.slice(0, -'Request'.length), apiKey, request, response });
  }
  return pairs.sort((a, b) => a.apiKey - b.apiKey);
}

export function emitApiKeys(pairs: ApiPair[]): string {
  const lines: string[] = [GENERATED_BANNER, "import type { MessageCodec } from '../message.js';"];
  for (const pair of pairs) {
    lines.push(`import { ${pair.request.name} } from './${pair.request.module}.js';`);
    lines.push(`import { ${pair.response.name} } from './${pair.response.module}.js';`);
  }
  lines.push('', 'export const ApiKey = {');
  for (const pair of pairs) lines.push(`  ${pair.name}: ${pair.apiKey},`);
  lines.push('} as const;', '');
  lines.push('export type ApiKeyName = keyof typeof ApiKey;');
  lines.push('export type ApiKey = (typeof ApiKey)[ApiKeyName];', '');
  lines.push(
    'export interface ApiDefinition<Request = unknown, Response = unknown> {',
    '  readonly apiKey: number;',
    '  readonly name: string;',
    '  readonly request: MessageCodec<Request>;',
    '  readonly response: MessageCodec<Response>;',
    '  readonly lowestVersion: number;',
    '  readonly highestVersion: number;',
    '  /** 2 when the request version is flexible, else 1 (0 only for ControlledShutdown v0). */',
    '  requestHeaderVersion(version: number): 0 | 1 | 2;',
    '  /** 1 when the response version is flexible, else 0; ApiVersions always uses 0. */',
    '  responseHeaderVersion(version: number): 0 | 1;',
    '}',
    '',
    'function define<Request, Response>(',
    '  apiKey: number,',
    '  name: string,',
    '  request: MessageCodec<Request>,',
    '  response: MessageCodec<Response>,',
    '  requestHeaderV0: readonly number[],',
    '  responseHeaderAlwaysV0: boolean,',
    '): ApiDefinition<Request, Response> {',
    '  const requestFlexibleFrom = request.flexibleFrom;',
    '  const responseFlexibleFrom = response.flexibleFrom;',
    '  return {',
    '    apiKey,',
    '    name,',
    '    request,',
    '    response,',
    '    lowestVersion: request.lowestVersion,',
    '    highestVersion: request.highestVersion,',
    '    requestHeaderVersion(version: number): 0 | 1 | 2 {',
    '      if (requestHeaderV0.includes(version)) return 0;',
    '      return requestFlexibleFrom !== null && version >= requestFlexibleFrom ? 2 : 1;',
    '    },',
    '    responseHeaderVersion(version: number): 0 | 1 {',
    '      if (responseHeaderAlwaysV0) return 0;',
    '      return responseFlexibleFrom !== null && version >= responseFlexibleFrom ? 1 : 0;',
    '    },',
    '  };',
    '}',
    '',
    'export const Apis = {',
  );
  for (const pair of pairs) {
    const v0 = `[${(REQUEST_HEADER_V0[pair.name] ?? []).join(', ')}]`;
    const always = RESPONSE_HEADER_V0_ALWAYS.has(pair.name);
    lines.push(
      `  ${pair.name}: define<${pair.request.name}, ${pair.response.name}>(`,
      `    ${pair.apiKey},`,
      `    ${quote(pair.name)},`,
      `    ${pair.request.name},`,
      `    ${pair.response.name},`,
      `    ${v0},`,
      `    ${always},`,
      '  ),',
    );
  }
  lines.push('} as const;', '');
  lines.push('/** Every API, ordered by key. */');
  lines.push('export const API_DEFINITIONS: readonly ApiDefinition[] = [');
  for (const pair of pairs) lines.push(`  Apis.${pair.name},`);
  lines.push('];', '');
  lines.push(
    'const byKey = new Map<number, ApiDefinition>(API_DEFINITIONS.map((api) => [api.apiKey, api]));',
    '',
  );
  lines.push('export function apiDefinition(apiKey: number): ApiDefinition | undefined {');
  lines.push('  return byKey.get(apiKey);');
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
