import 'reflect-metadata';
import { NestFactory, ModulesContainer } from '@nestjs/core';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config/app-config.js';
import { ROUTE_AUTH } from './auth-metadata.js';

/** Every route must say how it authenticates; the guard denies any that does not. */
describe('route authentication declarations', () => {
  it('covers every route of every controller', async () => {
    const app = await NestFactory.create(AppModule.register(loadConfig({}), 'postgres://unused/unused'), {
      preview: true,
      logger: false,
    });
    const undeclared: string[] = [];
    let routes = 0;
    for (const module of app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as { prototype: Record<string, unknown>; name: string };
        for (const key of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = controller.prototype[key];
          if (key === 'constructor' || typeof handler !== 'function') continue;
          if (Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
          routes++;
          const declared = Reflect.getMetadata(ROUTE_AUTH, handler) ?? Reflect.getMetadata(ROUTE_AUTH, controller);
          if (!declared) undeclared.push(`${controller.name}.${key} (${Reflect.getMetadata(PATH_METADATA, handler)})`);
        }
      }
    }
    await app.close();
    expect(routes).toBeGreaterThanOrEqual(8);
    expect(undeclared).toEqual([]);
  });
});
