import { SandboxDto } from './dto/sandbox.dto.js';
import type { Sandbox } from './entities/sandbox.entity.js';

/** The public record of a sandbox; `toolboxProxyUrl` is `<public API URL>/toolbox`. */
export function toSandboxDto(sandbox: Sandbox, toolboxProxyUrl: string): SandboxDto {
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
    recoverable: sandbox.recoverable,
    toolboxProxyUrl,
    target: sandbox.region,
    user: sandbox.osUser,
    public: false,
    gpu: 0,
    kvm: false,
    autoStopInterval: sandbox.autoStopInterval,
    autoArchiveInterval: sandbox.autoArchiveInterval,
    autoDeleteInterval: sandbox.autoDeleteInterval,
    volumes: [],
    lastActivityAt: sandbox.lastActivityAt,
    createdAt: sandbox.createdAt,
    updatedAt: sandbox.updatedAt,
  };
}
