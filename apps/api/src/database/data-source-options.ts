import type { DataSourceOptions } from 'typeorm';
import { ENTITIES, MIGRATIONS } from './entities.js';

export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Failed queries reach the error filter; TypeORM's own logging would print parameters (env values).
    logging: false,
    extra: { max: 20 },
  };
}
