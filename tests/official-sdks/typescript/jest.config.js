import preset from '../../../jest.preset.js';

/**
 * The published @daytonaio/sdk against a live stack: needs DAYTONA_API_URL and DAYTONA_API_KEY,
 * so run it through tools/e2e/with-stack.mjs. `@daytonaio/sdk` resolves from this folder's own
 * node_modules (the pinned package), never to libs/sdk-typescript.
 */
export default {
  ...preset,
  displayName: 'official-sdk-typescript',
  rootDir: '.',
  testMatch: ['<rootDir>/*.e2e-spec.ts'],
  testTimeout: 120_000,
};
