import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Organization } from '../organization/organization.entity.js';
import type { Runner } from '../runner/runner.entity.js';
import { OrganizationResourcePermission } from './permissions.js';

export interface OrganizationAuthContext {
  kind: 'organization';
  apiKeyId: string;
  organization: Organization;
  permissions: OrganizationResourcePermission[];
  /** When the caller's key expires; keys it creates may not outlive it. */
  apiKeyExpiresAt: Date | null;
}

export interface RunnerAuthContext {
  kind: 'runner';
  runner: Runner;
}

export type AuthContextValue = OrganizationAuthContext | RunnerAuthContext;

export const AUTH_CONTEXT_KEY = 'daytonaAuth';

export const AuthContext = createParamDecorator((_data: unknown, ctx: ExecutionContext) => {
  return ctx.switchToHttp().getRequest()[AUTH_CONTEXT_KEY] as AuthContextValue;
});
