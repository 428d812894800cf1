/**
 * Collects a command's output up to a byte limit: the first bytes are kept, the rest is counted
 * and dropped (still read, so the command never blocks on a full pipe).
 */
export class BoundedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private dropped = 0;
  private sealed = false;

  constructor(private readonly limitBytes: number) {}

  append(chunk: Buffer): void {
    if (this.sealed) return;
    const room = this.limitBytes - this.kept;
    if (room >= chunk.length) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
      return;
    }
    if (room > 0) {
      this.chunks.push(chunk.subarray(0, room));
      this.kept += room;
    }
    this.dropped += chunk.length - Math.max(room, 0);
  }

  /** Freezes the result; later output (e.g. from a background process) is ignored. */
  seal(): { result: string; truncated: boolean } {
    this.sealed = true;
    const text = Buffer.concat(this.chunks).toString('utf8');
    if (this.dropped === 0) return { result: text, truncated: false };
    const note = `[output truncated: kept the first ${this.limitBytes} bytes, dropped ${this.dropped}]`;
    return { result: `${text}${text.endsWith('\n') ? '' : '\n'}${note}\n`, truncated: true };
  }
}
