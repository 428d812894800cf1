import path from 'node:path';
import type { LogLevel, RunnerConfig } from '../config/runner-config.js';
import { detectSandboxCgroups } from '../cgroups/sandbox-cgroups.js';
import { warnLoudly, type Logger } from '../logging/logger.js';
import { SandboxLayout } from '../sandbox/sandbox-layout.js';
import { SandboxWatchdog, waitForPreviousWatchdog } from '../watchdog/sandbox-watchdog.js';
import { BwrapProvider } from './bwrap-provider.js';
import { ParkProvider } from './park-provider.js';
import { ProcessProvider } from './process-provider.js';
import type { SandboxProvider } from './sandbox-provider.js';
import { ToolboxHelper } from './toolbox-helper.js';

type ProviderSettings = Pick<
  RunnerConfig,
  'name' | 'dataDir' | 'provider' | 'sandboxUid' | 'sandboxGid' | 'sandboxDns' | 'sandboxPidsMax' | 'execOutputLimitBytes' | 'userNamespace'
> & Partial<Pick<RunnerConfig, 'toolboxHelperPath'>>;

export interface SelectionOptions {
  /**
   * Guard bwrap sandboxes with the watchdog process (the runner always does). It runs from the
   * compiled runner (dist/apps/runner/watchdog), so tests of this function on the sources go without.
   */
  watchdog?: { logLevel: LogLevel };
}

/** Where the watchdog records its pid, for a runner started after a crash to wait for it. */
export const watchdogPidFile = (dataDir: string) => path.join(dataDir, 'watchdog.pid');

/**
 * Picks the sandbox provider. `auto` uses bwrap when a probe sandbox works there and falls back,
 * loudly, to the unisolated process provider; `bwrap` refuses to start without a working bwrap.
 */
export async function selectSandboxProvider(settings: ProviderSettings, logger: Logger, options: SelectionOptions = {}): Promise<SandboxProvider> {
  const runsAsRoot = process.getuid?.() === 0;
  const sandboxUser = runsAsRoot ? { uid: settings.sandboxUid, gid: settings.sandboxGid } : null;
  const layout = new SandboxLayout(settings.dataDir, sandboxUser);
  await layout.init();
  const toolboxHelper = settings.toolboxHelperPath ? await ToolboxHelper.open(settings.toolboxHelperPath) : null;
  if (settings.toolboxHelperPath && !toolboxHelper) {
    logger.warn(`No toolbox helper at ${settings.toolboxHelperPath} (RUNNER_TOOLBOX_HELPER): file operations in sandboxes will fail`);
  }
  const fallback = () => new ProcessProvider({ layout, sandboxUser, outputLimitBytes: settings.execOutputLimitBytes, toolboxHelper });

  if (settings.provider === 'park') {
    warnLoudly(logger, [
      'RUNNER_PROVIDER=park: sandboxes are accepted and reported started, but NOTHING runs.',
      'For measuring the control plane (npm run bench) only; commands are refused.',
    ]);
    return new ParkProvider();
  }

  if (settings.provider === 'process') {
    warnLoudly(logger, [
      'RUNNER_PROVIDER=process: sandboxes are NOT isolated.',
      'Commands run as plain processes on this host, in the sandbox home directory.',
    ]);
    return fallback();
  }

  const pidFile = watchdogPidFile(settings.dataDir);
  if (options.watchdog) await waitForPreviousWatchdog(pidFile, logger);
  const cgroups = await detectSandboxCgroups(settings.name);
  // Up before the probe, the first sandbox launched.
  const watchdog =
    options.watchdog && cgroups.support !== 'none' ? await SandboxWatchdog.start({ cgroups, pidFile, logger, logLevel: options.watchdog.logLevel }) : null;
  const bwrap = await BwrapProvider.create({
    layout,
    cgroups,
    sandboxUser,
    sandboxDns: settings.sandboxDns,
    buildCacheDir: path.join(settings.dataDir, 'native-tools'),
    pidsMax: settings.sandboxPidsMax,
    outputLimitBytes: settings.execOutputLimitBytes,
    watchdog,
    // Mounting root filesystems and mapping id ranges takes root.
    userNamespace: runsAsRoot ? settings.userNamespace : null,
    toolboxHelper,
    logger,
  });
  const problem = await bwrap.probe();
  if (problem !== null) {
    await bwrap.close();
    if (settings.provider === 'bwrap') throw new Error(`RUNNER_PROVIDER=bwrap but a probe sandbox failed: ${problem}`);
    warnLoudly(logger, [
      'bubblewrap does not work on this host, so sandboxes are NOT isolated (process provider).',
      `Probe sandbox failed: ${problem}`,
      'Fix the cause (bubblewrap installed, unprivileged user namespaces allowed, RUNNER_DATA_DIR reachable',
      'by RUNNER_SANDBOX_UID), or set RUNNER_PROVIDER=bwrap to refuse to start without isolation.',
    ]);
    return fallback();
  }
  if (cgroups.support === 'none') {
    warnLoudly(logger, [
      'No usable cgroups: sandbox cpu and memory limits are NOT enforced, and a sandbox being launched',
      'when the runner dies may outlive it (no watchdog; see apps/runner/README.md).',
      ...cgroups.problems,
    ]);
  }
  if (cgroups.support !== 'none' && !cgroups.limitsPids) {
    logger.warn('The cgroup pids controller is not available: process counts in sandboxes are not limited.');
  }
  if (bwrap.imagesUnavailable !== null) logger.warn(`Image sandboxes are not available (only the "host" snapshot runs): ${bwrap.imagesUnavailable}`);
  logger.log(`Sandbox provider: bwrap (cgroups ${cgroups.support}; seccomp; a disk and a network namespace per sandbox)`);
  return bwrap;
}
