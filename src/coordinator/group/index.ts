export * from './config.js';
export * from './consumer-protocol.js';
export type { CoordinatorLogger, CoordinatorStatus } from './context.js';
export { GroupCoordinator, type GroupCoordinatorOptions } from './coordinator.js';
export * from './error-codes.js';
export * from './types.js';
