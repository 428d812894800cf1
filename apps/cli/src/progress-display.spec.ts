import { Writable } from 'node:stream';
import { countStates, type ProgressCounts } from './bulk-progress.js';
import { formatProgress, ProgressBar, ProgressLines } from './progress-display.js';

/** Collects what is written; `isTTY` makes it look like a terminal to cli-progress. */
class CapturedStream extends Writable {
  text = '';
  columns = 160;
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Four sandboxes asked for, in these states. */
const counts = (...states: string[]): ProgressCounts => countStates(states, 4);
const ESC = String.fromCharCode(27);

describe('formatProgress', () => {
  it('shows the counts per state, the elapsed time and no ETA before any sandbox has settled', () => {
    expect(formatProgress(counts('creating', 'starting'), 1_500)).toBe(
      'created 2/4 | creating 1 | starting 1 | started 0 | error 0 | 1.5s | eta -',
    );
  });

  it('estimates the time left at the rate so far: 1 of 4 settled in 2 s leaves 6 s', () => {
    expect(formatProgress(counts('started', 'starting', 'starting', 'creating'), 2_000)).toBe(
      'created 4/4 | creating 1 | starting 2 | started 1 | error 0 | 2.0s | eta 6.0s',
    );
  });

  it('counts error and build_failed together, shows other states only when there are some, and drops the ETA once all settled', () => {
    expect(formatProgress(counts('started', 'error', 'build_failed', 'stopped'), 3_000)).toBe(
      'created 4/4 | creating 0 | starting 0 | started 1 | error 2 | other 1 | 3.0s | eta 1.0s',
    );
    expect(formatProgress(counts('started', 'started', 'started', 'error'), 3_000)).toBe(
      'created 4/4 | creating 0 | starting 0 | started 3 | error 1 | 3.0s',
    );
  });
});

describe('ProgressLines (no terminal)', () => {
  let time: number;
  const now = () => time;
  beforeEach(() => {
    time = 1_000_000;
  });

  it('writes a line when the counts change, at most one per interval, and always the final counts', () => {
    const stream = new CapturedStream();
    const lines = new ProgressLines(stream, 1_000, now);
    time += 100;
    lines.update(counts('creating', 'creating', 'creating', 'creating'));
    time += 200;
    lines.update(counts('started', 'starting', 'starting', 'starting')); // within the interval: held back
    time += 300;
    lines.update(counts('started', 'started', 'starting', 'starting'));
    time += 1_000;
    lines.update(counts('started', 'started', 'started', 'starting'));
    time += 100;
    lines.finish(counts('started', 'started', 'started', 'error'));

    expect(stream.text.split('\n')).toEqual([
      'created 4/4 | creating 4 | starting 0 | started 0 | error 0 | 0.1s | eta -',
      'created 4/4 | creating 0 | starting 1 | started 3 | error 0 | 1.6s | eta 0.5s',
      'created 4/4 | creating 0 | starting 0 | started 3 | error 1 | 1.7s',
      '',
    ]);
    expect(stream.text).not.toContain(ESC);
  });

  it('writes a held-back change once the interval is up, even if nothing else arrives', async () => {
    const stream = new CapturedStream();
    const lines = new ProgressLines(stream, 50);
    lines.update(counts('creating'));
    lines.update(counts('started'));
    expect(stream.text.trim().split('\n')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(stream.text).toMatch(/creating 1 \|.*\n.*started 1 \|.*\n$/);
  });

  it('does not repeat the final counts when they were the last written', () => {
    const stream = new CapturedStream();
    const lines = new ProgressLines(stream, 1_000, now);
    lines.update(counts('started', 'started', 'started', 'started'));
    time += 5_000;
    lines.finish(counts('started', 'started', 'started', 'started'));
    expect(stream.text.trim().split('\n')).toHaveLength(1);
  });
});

describe('ProgressBar (terminal)', () => {
  it('draws a bar with the counts, redrawn in place, and ends full on the last counts', () => {
    const stream = new CapturedStream(true);
    const bar = new ProgressBar(stream as unknown as NodeJS.WriteStream, counts());
    bar.update(counts('started', 'error', 'starting', 'creating'));
    bar.finish(counts('started', 'started', 'started', 'error'));

    expect(stream.text).toContain(ESC);
    expect(stream.text).toMatch(/░{30} created 0\/4 \| creating 0 \| starting 0 \| started 0 \| error 0 \| 0\.\ds \| eta -/);
    const last = stream.text.slice(stream.text.lastIndexOf('created') - 31);
    expect(last).toMatch(/^█{30} created 4\/4 \| creating 0 \| starting 0 \| started 3 \| error 1 \| \d+\.\ds/);
  });

  it('with allowUnder, the bar is full once every sandbox that exists has settled', () => {
    const stream = new CapturedStream(true);
    const bar = new ProgressBar(stream as unknown as NodeJS.WriteStream, counts());
    bar.finish(countStates(['started', 'started'], 4));
    expect(stream.text).toMatch(/█{30} created 2\/4 \| creating 0 \| starting 0 \| started 2 \| error 0/);
  });
});
