import { bulkSandboxNames, SANDBOX_NAME_PATTERN } from './sandbox-naming.js';

describe('bulkSandboxNames', () => {
  it('pads to five digits', () => {
    expect(bulkSandboxNames('batch-a', 3)).toEqual(['batch-a-00001', 'batch-a-00002', 'batch-a-00003']);
  });

  it('keeps five digits up to 99,999 and widens to six at 100,000', () => {
    const five = bulkSandboxNames('p', 99_999);
    expect(five[0]).toBe('p-00001');
    expect(five[99_998]).toBe('p-99999');
    const six = bulkSandboxNames('p', 100_000);
    expect(six[0]).toBe('p-000001');
    expect(six[99_999]).toBe('p-100000');
  });

  it('produces nothing for zero and valid names for the longest prefix', () => {
    expect(bulkSandboxNames('p', 0)).toEqual([]);
    const [name] = bulkSandboxNames('a'.repeat(50), 1);
    expect(name).toMatch(SANDBOX_NAME_PATTERN);
  });
});
