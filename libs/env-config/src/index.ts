export { ConfigError, EnvReader } from './env-reader.js';
export type { Env } from './env-reader.js';
