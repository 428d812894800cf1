import { killProcessGroup, runCommandProcess } from './command-process.js';

/** Keeps the event loop busy in stretches longer than the output settle time, as a loaded runner's is. */
function blockTheLoopInStretches(stretchMs: number): () => void {
  let running = true;
  const stretch = () => {
    if (!running) return;
    const until = Date.now() + stretchMs;
    while (Date.now() < until) {
      // busy, as a runner starting a burst of sandboxes is
    }
    setImmediate(stretch);
  };
  setImmediate(stretch);
  return () => {
    running = false;
  };
}

const echo = (text: string) =>
  runCommandProcess({ file: '/bin/sh', args: ['-c', `echo ${text}`], env: { PATH: '/usr/bin:/bin' }, timeoutMs: 10_000, outputLimitBytes: 1_048_576 });

describe('runCommandProcess', () => {
  it('answers the output of a short command', async () => {
    expect(await echo('ready')).toEqual({ exitCode: 0, result: 'ready\n', truncated: false, timedOut: false });
  });

  it('loses no output of a command that exited while the event loop was busy', async () => {
    // The output is in the pipe when the exit is seen; a settle timer that fires before the loop
    // next reads the pipe must not end the collection (this answered "" under load).
    const unblock = blockTheLoopInStretches(60);
    try {
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => echo(`ready-${i}`)));
      expect(answers.map((answer) => answer.result)).toEqual(Array.from({ length: 40 }, (_, i) => `ready-${i}\n`));
    } finally {
      unblock();
    }
  });

  it('does not wait for a background process that keeps the output pipe open', async () => {
    const started = Date.now();
    let group = 0;
    try {
      const answer = await runCommandProcess({
        file: '/bin/sh',
        args: ['-c', 'echo started; sleep 30 & echo done'],
        env: { PATH: '/usr/bin:/bin' },
        timeoutMs: 10_000,
        outputLimitBytes: 1_048_576,
        onProcessGroup: (pgid) => (group = pgid),
      });
      expect(answer).toMatchObject({ exitCode: 0, result: 'started\ndone\n' });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      if (group) killProcessGroup(group);
    }
  });
});
