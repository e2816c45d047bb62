export * from './errors.js';
export * from './reader.js';
export * from './varint.js';
export * from './writer.js';
