/**
 * The sandbox watchdog process (apps/runner/README.md, "When the runner dies"). The runner spawns
 * it in its own session with a pipe on its stdin; when that pipe ends, the runner is gone, however
 * it went, and every process in the runner's sandbox cgroups is killed and the cgroups removed.
 */
import { SandboxCgroups } from '../cgroups/sandbox-cgroups.js';
import { createLogger } from '../logging/logger.js';
import { sweepSandboxCgroups } from './sweep-sandbox-cgroups.js';
import { READY_LINE, type WatchdogArguments } from './watchdog-protocol.js';
import { ownIdentity, parentPid, removePidFileIfOwn, writePidFile } from './watchdog-pid-file.js';

// At most one "still removing" warning per this interval while a cgroup stays busy.
const STUCK_WARNING_INTERVAL_MS = 5_000;

const args = JSON.parse(process.argv[2] ?? '{}') as WatchdogArguments;
const logger = createLogger('watchdog', args.logLevel);
// Once the runner is gone, its stderr may be a pipe nobody reads: a failed log line must not kill us.
process.stderr.on('error', () => undefined);
process.stdout.on('error', () => undefined);

const cgroups = SandboxCgroups.existing(args.version, args.parents);
let guarding = false;
let runnerGone = false;
let sweeping = false;

function onRunnerGone(): void {
  runnerGone = true;
  if (guarding) void sweep();
}

// The runner never writes; only the end of the pipe matters.
process.stdin.on('data', () => undefined);
process.stdin.once('end', onRunnerGone);
process.stdin.once('close', onRunnerGone);
process.stdin.once('error', onRunnerGone);

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (sweeping) return;
    void parentPid().then((parent) => {
      if (parent !== args.runnerPid) return onRunnerGone();
      // The runner lives and starts another watchdog.
      logger.log(`${signal}: exiting`);
      process.exit(0);
    });
  });
}

const self = await ownIdentity();
await writePidFile(args.pidFile, self);
// A runner that died before this point launched nothing under this watchdog, and a runner started
// after it may not have seen the pid file: sweeping now could hit that runner's sandboxes. Whatever
// is left over, the next runner removes at start.
if ((await parentPid()) !== args.runnerPid) {
  await removePidFileIfOwn(args.pidFile, self);
  process.exit(0);
}
guarding = true;
process.stdout.write(`${READY_LINE}\n`);
if (runnerGone) void sweep();

async function sweep(): Promise<void> {
  if (sweeping) return;
  sweeping = true;
  const started = Date.now();
  let warned = 0;
  try {
    const count = await sweepSandboxCgroups(cgroups, (ids, error) => {
      if (Date.now() - warned < STUCK_WARNING_INTERVAL_MS) return;
      warned = Date.now();
      logger.warn(`Still removing the cgroups of ${ids.length} sandbox(es), e.g. ${ids[0]} (${error.message}); retrying`);
    });
    const message = `The runner (pid ${args.runnerPid}) is gone: killed what ran in ${count} sandbox cgroup(s) and removed them in ${Date.now() - started} ms`;
    if (count > 0) logger.log(message);
    else logger.debug(message);
  } catch (error) {
    logger.error(`Sweep failed: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  }
  await removePidFileIfOwn(args.pidFile, self);
  process.exit();
}
