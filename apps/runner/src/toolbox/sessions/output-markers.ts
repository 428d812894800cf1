/** What a session shell's output stream holds: a command's bytes, or where a command starts or ends. */
export type MarkedOutput = { kind: 'data'; data: Buffer } | { kind: 'start' } | { kind: 'end'; exitCode: number | null };

/**
 * The markers a session shell prints around each command, on stdout and stderr alike:
 * `\x1f` DAYTONA- token -S `\n` before it and -E[exit code] `\n` after it. The token is random
 * per session, so a command's own output is never taken for one.
 */
export function sessionMarkers(token: string) {
  const prefix = `\u001fDAYTONA-${token}-`;
  return {
    prefix,
    start: `${prefix}S\n`,
    /** printf format of the end marker on stdout, given the exit code. */
    endWithStatus: `${prefix}E%s\\n`,
    end: `${prefix}E\n`,
  };
}

/**
 * Splits one output stream at the markers, whatever the chunk boundaries: bytes that may be the
 * beginning of a marker are held back until the next chunk tells.
 */
export class OutputMarkerSplitter {
  private readonly prefix: Buffer;
  private carry = Buffer.alloc(0);

  constructor(token: string) {
    this.prefix = Buffer.from(sessionMarkers(token).prefix);
  }

  push(chunk: Buffer): MarkedOutput[] {
    const events: MarkedOutput[] = [];
    let buffer = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    for (;;) {
      const at = buffer.indexOf(this.prefix);
      if (at < 0) {
        const keep = this.partialPrefixAtEnd(buffer);
        if (buffer.length - keep > 0) events.push({ kind: 'data', data: buffer.subarray(0, buffer.length - keep) });
        this.carry = Buffer.from(buffer.subarray(buffer.length - keep));
        return events;
      }
      const newline = buffer.indexOf(0x0a, at + this.prefix.length);
      if (at > 0) events.push({ kind: 'data', data: buffer.subarray(0, at) });
      if (newline < 0) {
        this.carry = Buffer.from(buffer.subarray(at));
        return events;
      }
      const tail = buffer.subarray(at + this.prefix.length, newline).toString('latin1');
      if (tail === 'S') events.push({ kind: 'start' });
      else if (tail.startsWith('E')) events.push({ kind: 'end', exitCode: /^E\d+$/.test(tail) ? Number(tail.slice(1)) : null });
      else events.push({ kind: 'data', data: buffer.subarray(at, newline + 1) });
      buffer = buffer.subarray(newline + 1);
    }
  }

  /** How many bytes at the end of `buffer` could begin the prefix. */
  private partialPrefixAtEnd(buffer: Buffer): number {
    const longest = Math.min(buffer.length, this.prefix.length - 1);
    for (let length = longest; length > 0; length--) {
      if (buffer.subarray(buffer.length - length).equals(this.prefix.subarray(0, length))) return length;
    }
    return 0;
  }
}
