export type { CommittedOffset } from './group-offsets.js';
export * from './group-storage.js';
export * from './lag.js';
export { OffsetStore } from './offset-store.js';
export * from './records.js';
export * from './types.js';
