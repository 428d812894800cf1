import { SandboxDto } from './dto/sandbox.dto.js';
import type { Sandbox } from './entities/sandbox.entity.js';

export function toSandboxDto(sandbox: Sandbox): SandboxDto {
  return {
    id: sandbox.id,
    organizationId: sandbox.organizationId,
    name: sandbox.name,
    snapshot: sandbox.snapshotName,
    runnerId: sandbox.runnerId,
    region: sandbox.region,
    state: sandbox.state,
    desiredState: sandbox.desiredState,
    cpu: sandbox.cpu,
    memory: sandbox.memory,
    disk: sandbox.disk,
    env: sandbox.env,
    labels: sandbox.labels,
    networkBlockAll: sandbox.networkBlockAll,
    networkAllowList: sandbox.networkAllowList,
    errorReason: sandbox.errorReason,
    createdAt: sandbox.createdAt,
    updatedAt: sandbox.updatedAt,
  };
}
