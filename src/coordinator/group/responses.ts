import type { JoinGroupResponse, SyncGroupResponse } from './types.js';

const EMPTY = Buffer.alloc(0);

/** A JoinGroup answer carrying only an error (Kafka: generation -1, no leader, no protocol). */
export function joinError(memberId: string, errorCode: number): JoinGroupResponse {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId,
    members: [],
  };
}

export function syncError(errorCode: number): SyncGroupResponse {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}
