import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RunnerModule } from '../runner/runner.module.js';
import { ApiKeyManagement } from './api-key-management.js';
import { ApiKeyService } from './api-key.service.js';
import { ApiKeyUsage } from './api-key-usage.js';
import { ApiKeysController } from './api-keys.controller.js';
import { AuthGuard } from './auth.guard.js';

@Module({
  imports: [RunnerModule],
  controllers: [ApiKeysController],
  providers: [ApiKeyService, ApiKeyUsage, ApiKeyManagement, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [ApiKeyService],
})
export class AuthModule {}
