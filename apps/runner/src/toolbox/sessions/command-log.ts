import type { SessionCommandLogs } from '@daytona/runner-contract';

/** One command's output as produced, stdout and stderr apart but in order, up to a byte limit. */
export class CommandLog {
  private readonly chunks: Array<{ stream: 'stdout' | 'stderr'; data: Buffer }> = [];
  private kept = 0;
  private dropped = 0;

  constructor(private readonly limitBytes: number) {}

  get size(): number {
    return this.kept;
  }

  append(stream: 'stdout' | 'stderr', data: Buffer): void {
    const room = this.limitBytes - this.kept;
    const taken = data.length <= room ? data : data.subarray(0, Math.max(room, 0));
    if (taken.length > 0) {
      this.chunks.push({ stream, data: Buffer.from(taken) });
      this.kept += taken.length;
    }
    this.dropped += data.length - taken.length;
  }

  /** Drops what it holds (the session's budget needs the room), saying so in what it answers later. */
  discard(): void {
    this.dropped += this.kept;
    this.kept = 0;
    this.chunks.length = 0;
  }

  read(): SessionCommandLogs {
    const join = (wanted?: 'stdout' | 'stderr') =>
      Buffer.concat(this.chunks.filter((chunk) => !wanted || chunk.stream === wanted).map((chunk) => chunk.data)).toString('utf8');
    return { output: join(), stdout: join('stdout'), stderr: join('stderr'), truncated: this.dropped > 0 };
  }
}
