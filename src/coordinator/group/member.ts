import type { JoinGroupProtocol, JoinGroupResponse, SyncGroupResponse } from './types.js';

const EMPTY = Buffer.alloc(0);

export type JoinWaiter = (response: JoinGroupResponse) => void;
export type SyncWaiter = (response: SyncGroupResponse) => void;

/**
 * One member of a classic group. A member that has sent JoinGroup and not yet been answered holds
 * a `joinWaiter`; one that has sent SyncGroup before the leader's assignment holds a `syncWaiter`.
 */
export class GroupMember {
  assignment: Buffer = EMPTY;
  joinWaiter: JoinWaiter | null = null;
  syncWaiter: SyncWaiter | null = null;
  /** Joined in the rebalance in progress and not yet answered with a generation. */
  isNew = false;
  /** Set by each heartbeat-like event; the session timer checks and resets it. */
  heartbeatSatisfied = false;

  constructor(
    public memberId: string,
    readonly groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public protocols: JoinGroupProtocol[],
  ) {}

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.joinWaiter !== null;
  }

  get isAwaitingSync(): boolean {
    return this.syncWaiter !== null;
  }

  /**
   * Whether the session timer may pass without removing the member. Members parked in a join or
   * sync are kept alive by the rebalance (its own timeouts handle them), except new members, whose
   * only deadline is the new-member join timeout.
   */
  hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return this.heartbeatSatisfied;
    if (this.isAwaitingJoin || this.isAwaitingSync) return true;
    return this.heartbeatSatisfied;
  }

  supports(protocolName: string): boolean {
    return this.protocols.some((protocol) => protocol.name === protocolName);
  }

  metadataFor(protocolName: string): Buffer {
    const protocol = this.protocols.find((candidate) => candidate.name === protocolName);
    if (!protocol) throw new Error(`member ${this.memberId} does not support protocol ${protocolName}`);
    return protocol.metadata;
  }

  /** Same protocols, in the same order, with the same metadata bytes. */
  matches(protocols: readonly JoinGroupProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((protocol, index) => {
      const own = this.protocols[index]!;
      return own.name === protocol.name && own.metadata.equals(protocol.metadata);
    });
  }

  /** The member's most preferred protocol among the candidates. */
  vote(candidates: ReadonlySet<string>): string {
    const choice = this.protocols.find((protocol) => candidates.has(protocol.name));
    if (!choice) throw new Error(`member ${this.memberId} supports none of the candidate protocols`);
    return choice.name;
  }

  answerJoin(response: JoinGroupResponse): boolean {
    const waiter = this.joinWaiter;
    if (!waiter) return false;
    this.joinWaiter = null;
    waiter(response);
    return true;
  }

  answerSync(response: SyncGroupResponse): boolean {
    const waiter = this.syncWaiter;
    if (!waiter) return false;
    this.syncWaiter = null;
    waiter(response);
    return true;
  }
}
