import cliProgress from 'cli-progress';
import { estimateRemainingMs, settledOf, type ProgressCounts } from './bulk-progress.js';
import { formatSeconds } from './output.js';

/** Shows a bulk create's progress while `--await-started` waits. */
export interface ProgressDisplay {
  update(counts: ProgressCounts): void;
  /** The last state; the display leaves its final line on screen. */
  finish(counts: ProgressCounts): void;
}

/**
 * `created 100/100 | creating 0 | starting 15 | started 80 | error 5 | 12.3s | eta 3.0s`: the
 * counts per state, the time since the wait began and the time left at the rate so far (`eta -`
 * until a first sandbox has settled; none once all have).
 */
export function formatProgress(counts: ProgressCounts, elapsedMs: number): string {
  const { created, requested, creating, starting, started, error, other } = counts;
  const parts = [`created ${created}/${requested}`, `creating ${creating}`, `starting ${starting}`, `started ${started}`, `error ${error}`];
  if (other > 0) parts.push(`other ${other}`);
  parts.push(formatSeconds(elapsedMs));
  const settledAll = created > 0 && settledOf(counts) >= created && creating + starting === 0;
  if (!settledAll) {
    const remaining = estimateRemainingMs(counts, elapsedMs);
    parts.push(`eta ${remaining === undefined ? '-' : formatSeconds(remaining)}`);
  }
  return parts.join(' | ');
}

/**
 * On a terminal: one line redrawn in place (cli-progress). The bar fills as sandboxes settle
 * (started or error); elapsed time and ETA run on between updates.
 */
export class ProgressBar implements ProgressDisplay {
  private readonly bar: cliProgress.SingleBar;
  private readonly startedAt = Date.now();
  private counts: ProgressCounts;

  constructor(stream: NodeJS.WriteStream, counts: ProgressCounts) {
    this.counts = counts;
    this.bar = new cliProgress.SingleBar(
      {
        stream,
        hideCursor: true,
        barsize: 30,
        fps: 10,
        // A function, so elapsed time and ETA are computed at each redraw, not at the last update.
        format: (options, params) =>
          `${cliProgress.Format.BarFormat(params.progress, options)} ${formatProgress(this.counts, Date.now() - this.startedAt)}`,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(counts.requested, 0);
  }

  update(counts: ProgressCounts): void {
    this.counts = counts;
    this.bar.update(settledOf(counts));
  }

  finish(counts: ProgressCounts): void {
    // With allowUnder fewer than requested may exist: the bar is full once all of those settled.
    this.bar.setTotal(Math.max(counts.created, 1));
    this.update(counts);
    this.bar.stop();
  }
}

/**
 * Without a terminal (a log, CI, a pipe): plain lines, no escapes, and few of them. A line when
 * the counts changed, at most one per `intervalMs` (a pending change is written when the interval
 * is up, even if nothing else arrives), and always the final counts, so a 1,000-sandbox create
 * logs about one line per second of waiting rather than one per state change.
 */
export class ProgressLines implements ProgressDisplay {
  private readonly startedAt: number;
  private lastWritten?: ProgressCounts;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private pending?: ProgressCounts;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly intervalMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  update(counts: ProgressCounts): void {
    this.pending = counts;
    const wait = this.lastWriteAt + this.intervalMs - this.now();
    if (wait <= 0) return this.writePending();
    this.timer ??= setTimeout(() => this.writePending(), wait).unref();
  }

  finish(counts: ProgressCounts): void {
    this.pending = counts;
    this.writePending();
  }

  private writePending(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const counts = this.pending;
    this.pending = undefined;
    if (!counts || (this.lastWritten && sameCounts(counts, this.lastWritten))) return;
    this.lastWritten = counts;
    this.lastWriteAt = this.now();
    this.stream.write(`${formatProgress(counts, this.lastWriteAt - this.startedAt)}\n`);
  }
}

function sameCounts(a: ProgressCounts, b: ProgressCounts): boolean {
  return (Object.keys(a) as Array<keyof ProgressCounts>).every((key) => a[key] === b[key]);
}
