import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from './auth/auth.module.js';
import { BusModule } from './bus/bus.module.js';
import { APP_CONFIG, type AppConfig } from './config/app-config.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { HealthController } from './health/health.controller.js';
import { RunnerModule } from './runner/runner.module.js';
import { SandboxModule } from './sandbox/sandbox.module.js';
import { SnapshotModule } from './snapshot/snapshot.module.js';
import { ToolboxModule } from './toolbox/toolbox.module.js';

@Module({})
export class AppModule {
  /** `databaseUrl` is resolved before the module is built: external, or the embedded Postgres. */
  static register(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot(dataSourceOptions(databaseUrl)),
        BusModule,
        AuthModule,
        RunnerModule,
        SnapshotModule,
        SandboxModule,
        ToolboxModule,
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
