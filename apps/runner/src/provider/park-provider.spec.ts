import { RunnerError } from '../errors/runner-error.js';
import { ParkProvider } from './park-provider.js';

describe('ParkProvider', () => {
  it('starts anything at once, leaves nothing on disk, and refuses commands', async () => {
    const provider = new ParkProvider();
    const sandbox = await provider.start();
    expect(await provider.listLocalSandboxIds()).toEqual([]);
    await expect(sandbox.execute({ command: 'true', env: {}, timeoutSeconds: 1 })).rejects.toMatchObject({
      code: 'sandbox_parked',
    });
    await expect(sandbox.execute({ command: 'true', env: {}, timeoutSeconds: 1 })).rejects.toBeInstanceOf(RunnerError);
  });
});
