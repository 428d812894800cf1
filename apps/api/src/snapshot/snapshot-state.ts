/**
 * pending (no runner has it yet) -> pulling (a runner is pulling it) -> active (a runner of its
 * region holds it: sandboxes can be created) or error (no runner could pull it; errorReason says
 * why, in the registry's words).
 */
export enum SnapshotState {
  PENDING = 'pending',
  PULLING = 'pulling',
  ACTIVE = 'active',
  INACTIVE = 'inactive',
  ERROR = 'error',
}
