import { ApiKey } from '../auth/api-key.entity.js';
import { Organization } from '../organization/organization.entity.js';
import { Region } from '../organization/region.entity.js';
import { Runner } from '../runner/runner.entity.js';
import { Sandbox } from '../sandbox/entities/sandbox.entity.js';
import { RunnerImage } from '../snapshot/runner-image.entity.js';
import { Snapshot } from '../snapshot/snapshot.entity.js';
import { InitialSchema1764100000000 } from './migrations/1764100000000-initial-schema.js';
import { SandboxDispatch1764200000000 } from './migrations/1764200000000-sandbox-dispatch.js';
import { SandboxStateEntered1764300000000 } from './migrations/1764300000000-sandbox-state-entered.js';
import { SnapshotImages1764400000000 } from './migrations/1764400000000-snapshot-images.js';
import { RunnerEnrollment1764500000000 } from './migrations/1764500000000-runner-enrollment.js';
import { RunningFleets1764600000000 } from './migrations/1764600000000-running-fleets.js';
import { SandboxNetwork1764700000000 } from './migrations/1764700000000-sandbox-network.js';
import { SandboxLifecycle1764800000000 } from './migrations/1764800000000-sandbox-lifecycle.js';

export const ENTITIES = [Region, Organization, ApiKey, Snapshot, Runner, RunnerImage, Sandbox];
export const MIGRATIONS = [
  InitialSchema1764100000000,
  SandboxDispatch1764200000000,
  SandboxStateEntered1764300000000,
  SnapshotImages1764400000000,
  RunnerEnrollment1764500000000,
  RunningFleets1764600000000,
  SandboxNetwork1764700000000,
  SandboxLifecycle1764800000000,
];
