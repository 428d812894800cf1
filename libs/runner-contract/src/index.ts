/**
 * The wire contract between the API (control plane) and runners: zod schemas, used to validate
 * on both ends, and the types inferred from them.
 */
export * from './limits.js';
export * from './sandbox.js';
export * from './network.js';
export * from './api-to-runner.js';
export * from './runner-to-api.js';
export * from './parse.js';
