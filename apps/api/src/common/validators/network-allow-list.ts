import { registerDecorator, ValidationOptions } from 'class-validator';
import { MAX_NETWORK_ALLOW_LIST_ENTRIES, parseNetworkAllowList } from '@daytona/runner-contract';

export const NETWORK_ALLOW_LIST_DESCRIPTION =
  `Comma-separated IPv4 CIDRs (at most ${MAX_NETWORK_ALLOW_LIST_ENTRIES}), the only destinations the sandbox may reach ` +
  '(and port 53 of its resolver); private ranges only when listed, loopback and link-local (169.254.0.0/16) never. ' +
  'Implies networkBlockAll false; refused with networkBlockAll true.';

/** `networkAllowList`: the runner contract's rule, so what the API takes a runner takes too. */
export function IsNetworkAllowList(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'networkAllowList',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.length <= 1_000 && parseNetworkAllowList(value).ok,
        defaultMessage: (args) => {
          const parsed = typeof args?.value === 'string' ? parseNetworkAllowList(args.value.slice(0, 1_000)) : null;
          return `${propertyName} must be comma-separated IPv4 CIDRs such as 198.18.0.0/15${parsed && !parsed.ok ? `: ${parsed.reason}` : ''}`;
        },
      },
    });
}
