import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ForbiddenError, UnauthenticatedError } from '../common/errors/domain-error.js';
import { RunnerService } from '../runner/runner.service.js';
import { ApiKeyService } from './api-key.service.js';
import { AUTH_CONTEXT_KEY, type AuthContextValue } from './auth-context.js';
import { ROUTE_AUTH, type RouteAuth } from './auth-metadata.js';
import { bearerToken } from './bearer-token.js';

/** Global guard: resolves the caller from the bearer token according to the route's declared auth. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeyService,
    private readonly runners: RunnerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const routeAuth = this.reflector.getAllAndOverride<RouteAuth | undefined>(ROUTE_AUTH, [
      context.getHandler(),
      context.getClass(),
    ]);
    // Fail closed: a route that forgot to declare its auth is never reachable.
    if (!routeAuth) throw new ForbiddenError('route_auth_undeclared', 'This route declares no authentication');
    if (routeAuth.kind === 'public') return true;

    const request = context.switchToHttp().getRequest<Request & Record<string, unknown>>();
    const token = bearerToken(request);
    if (!token) throw new UnauthenticatedError();
    request[AUTH_CONTEXT_KEY] = await this.authenticate(routeAuth, token);
    return true;
  }

  private async authenticate(routeAuth: Exclude<RouteAuth, { kind: 'public' }>, token: string): Promise<AuthContextValue | undefined> {
    switch (routeAuth.kind) {
      case 'organization': {
        const resolved = await this.apiKeys.resolveApiKey(token);
        if (!resolved) throw new UnauthenticatedError('Invalid or expired API key');
        const missing = routeAuth.permissions.filter((p) => !resolved.apiKey.permissions.includes(p));
        if (missing.length > 0) {
          throw new ForbiddenError('missing_permission', `The API key lacks permission: ${missing.join(', ')}`, {
            missing,
          });
        }
        return {
          kind: 'organization',
          apiKeyId: resolved.apiKey.id,
          organization: resolved.organization,
          permissions: resolved.apiKey.permissions,
        };
      }
      case 'runner': {
        const runner = await this.runners.findRunnerByCredential(token);
        if (!runner) throw new UnauthenticatedError('Invalid runner credential');
        return { kind: 'runner', runner };
      }
      case 'runner_registration': {
        const expected = this.config.runnerRegistrationToken;
        if (!expected || !sameSecret(token, expected)) {
          throw new UnauthenticatedError('Invalid runner registration token');
        }
        return undefined;
      }
    }
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
