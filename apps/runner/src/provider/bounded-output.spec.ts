import { BoundedOutput } from './bounded-output.js';

describe('BoundedOutput', () => {
  it('keeps everything under the limit', () => {
    const output = new BoundedOutput(10);
    output.append(Buffer.from('hello '));
    output.append(Buffer.from('you'));
    expect(output.seal()).toEqual({ result: 'hello you', truncated: false });
  });

  it('keeps the first bytes and notes how many were dropped', () => {
    const output = new BoundedOutput(4);
    output.append(Buffer.from('abc'));
    output.append(Buffer.from('defg'));
    output.append(Buffer.from('hij'));
    expect(output.seal()).toEqual({ result: 'abcd\n[output truncated: kept the first 4 bytes, dropped 6]\n', truncated: true });
  });

  it('ignores output after it is sealed', () => {
    const output = new BoundedOutput(100);
    output.append(Buffer.from('one'));
    output.seal();
    output.append(Buffer.from('two'));
    expect(output.seal().result).toBe('one');
  });
});
