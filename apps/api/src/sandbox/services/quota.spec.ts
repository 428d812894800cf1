import { howManyFit } from './quota.js';

describe('howManyFit', () => {
  it('is bounded by the scarcest resource and names it', () => {
    expect(howManyFit({ cpu: 10, memory: 7, disk: 100 }, { cpu: 1, memory: 2, disk: 1 })).toEqual({
      count: 3,
      limitedBy: 'memory',
    });
  });

  it('is zero, never negative, when usage is already over quota', () => {
    expect(howManyFit({ cpu: -4, memory: 10, disk: 10 }, { cpu: 1, memory: 1, disk: 1 })).toEqual({
      count: 0,
      limitedBy: 'cpu',
    });
  });
});
