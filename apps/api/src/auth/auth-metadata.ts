import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { OrganizationResourcePermission } from './permissions.js';

/** How a route authenticates. Every route must declare exactly one; the guard denies the rest. */
export type RouteAuth =
  | { kind: 'public' }
  | { kind: 'organization'; permissions: OrganizationResourcePermission[] }
  | { kind: 'runner' }
  | { kind: 'runner_registration' };

export const ROUTE_AUTH = 'daytona:route-auth';

export const Public = () => SetMetadata(ROUTE_AUTH, { kind: 'public' } satisfies RouteAuth);

/**
 * An organization API key holding every listed permission. The spec gives such routes their 401
 * and 403 (`missing_permission`) answers from the bearer security (openapi/api-error-responses.ts).
 */
export const RequiredOrganizationResourcePermissions = (permissions: OrganizationResourcePermission[]) =>
  applyDecorators(
    SetMetadata(ROUTE_AUTH, { kind: 'organization', permissions } satisfies RouteAuth),
    ApiBearerAuth(),
  );

/** A registered runner presenting its own token. */
export const RunnerAuth = () => SetMetadata(ROUTE_AUTH, { kind: 'runner' } satisfies RouteAuth);

/** The operator's runner registration secret (RUNNER_REGISTRATION_TOKEN). */
export const RunnerRegistrationAuth = () =>
  SetMetadata(ROUTE_AUTH, { kind: 'runner_registration' } satisfies RouteAuth);
