export * from './assignment.js';
export * from './assignors.js';
export * from './config.js';
export { ConsumerGroup, type ConsumerGroupState } from './consumer-group.js';
export {
  type ClassicGroupsAccess,
  ConsumerGroupCoordinator,
  type ConsumerGroupCoordinatorOptions,
} from './coordinator.js';
export { ConsumerGroupMember, LEAVE_GROUP_EPOCH, LEAVE_STATIC_EPOCH, type MemberState } from './member.js';
export * from './types.js';
