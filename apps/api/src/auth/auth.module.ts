import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RunnerModule } from '../runner/runner.module.js';
import { ApiKeyService } from './api-key.service.js';
import { AuthGuard } from './auth.guard.js';

@Module({
  imports: [RunnerModule],
  providers: [ApiKeyService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [ApiKeyService],
})
export class AuthModule {}
