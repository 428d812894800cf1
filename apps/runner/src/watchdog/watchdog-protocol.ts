import type { CgroupVersion } from '../cgroups/cgroup-hierarchy.js';
import type { LogLevel } from '../config/runner-config.js';

/** What the runner tells the watchdog process, as one JSON argv entry. */
export interface WatchdogArguments {
  runnerPid: number;
  pidFile: string;
  version: CgroupVersion;
  parents: string[];
  logLevel: LogLevel;
}

/** The watchdog's only line on stdout, once it has recorded its pid and guards the runner. */
export const READY_LINE = 'ready';
