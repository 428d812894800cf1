import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from '../common/dto/error-response.dto.js';
import { OrganizationResourcePermission } from './permissions.js';

/** How a route authenticates. Every route must declare exactly one; the guard denies the rest. */
export type RouteAuth =
  | { kind: 'public' }
  | { kind: 'organization'; permissions: OrganizationResourcePermission[] }
  | { kind: 'runner' }
  | { kind: 'runner_registration' };

export const ROUTE_AUTH = 'daytona:route-auth';

export const Public = () => SetMetadata(ROUTE_AUTH, { kind: 'public' } satisfies RouteAuth);

/** An organization API key holding every listed permission. */
export const RequiredOrganizationResourcePermissions = (permissions: OrganizationResourcePermission[]) =>
  applyDecorators(
    SetMetadata(ROUTE_AUTH, { kind: 'organization', permissions } satisfies RouteAuth),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing or invalid API key' }),
    ApiForbiddenResponse({ type: ErrorResponseDto, description: 'The API key lacks a permission' }),
  );

/** A registered runner presenting its own token. */
export const RunnerAuth = () => SetMetadata(ROUTE_AUTH, { kind: 'runner' } satisfies RouteAuth);

/** The operator's runner registration secret (RUNNER_REGISTRATION_TOKEN). */
export const RunnerRegistrationAuth = () =>
  SetMetadata(ROUTE_AUTH, { kind: 'runner_registration' } satisfies RouteAuth);
