import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { InProcessSandboxStateBus } from './in-process-sandbox-state-bus.js';
import { RedisSandboxStateBus } from './redis-sandbox-state-bus.js';
import { SANDBOX_STATE_BUS, type SandboxStateBus } from './sandbox-state-bus.js';

@Global()
@Module({
  providers: [
    {
      provide: SANDBOX_STATE_BUS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): SandboxStateBus =>
        config.redisUrl ? new RedisSandboxStateBus(config.redisUrl) : new InProcessSandboxStateBus(),
    },
  ],
  exports: [SANDBOX_STATE_BUS],
})
export class BusModule implements OnApplicationShutdown {
  constructor(@Inject(SANDBOX_STATE_BUS) private readonly bus: SandboxStateBus) {}

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}
