import { parseNetworkAllowList } from '@daytona/runner-contract';
import { InvalidInputError } from '../../common/errors/domain-error.js';

export interface SandboxNetwork {
  networkBlockAll: boolean;
  /** Canonical, comma-separated; null: the public internet. */
  networkAllowList: string | null;
}

/**
 * What a create (or bulk item, at `field`) asks of the network, with the server's default for
 * what it leaves out: an allow list implies egress, and contradicting it is refused.
 */
export function sandboxNetwork(
  request: { networkBlockAll?: boolean; networkAllowList?: string },
  serverDefault: 'blocked' | 'egress',
  field = '',
): SandboxNetwork {
  const parsed = request.networkAllowList === undefined ? null : parseNetworkAllowList(request.networkAllowList);
  const allowList = parsed?.ok ? parsed.cidrs.join(',') : null;
  if (request.networkBlockAll === true && allowList !== null) {
    throw new InvalidInputError('validation_failed', 'networkAllowList needs networkBlockAll false (or absent): a sandbox that blocks all has no list to allow', {
      field: `${field}networkAllowList`,
    });
  }
  return { networkBlockAll: request.networkBlockAll ?? (allowList === null && serverDefault === 'blocked'), networkAllowList: allowList };
}
