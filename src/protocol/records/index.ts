export * from './batch-header.js';
export * from './builder.js';
export * from './compression/index.js';
export * from './control.js';
export * from './crc32c.js';
export * from './record-batch.js';
export * from './record-scan.js';
export * from './records.js';
