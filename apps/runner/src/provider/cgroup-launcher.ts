/**
 * argv that makes a process join cgroups *before* it becomes the real program, so nothing the
 * program forks can escape the limits: `/bin/sh` writes its own pid into each `cgroup.procs` file
 * and then execs the program (same pid, no extra process). Every piece of data travels as its own
 * argv entry; nothing is interpolated into the script.
 */
const JOIN_THEN_EXEC = 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n - 1)); done; exec "$@"';

export interface LaunchOptions {
  /** Send the program's stderr into its stdout, so both are captured interleaved as produced. */
  mergeStderr?: boolean;
}

export function launchInCgroups(procsFiles: string[], argv: string[], options: LaunchOptions = {}): { file: string; args: string[] } {
  if (procsFiles.length === 0 && !options.mergeStderr) return { file: argv[0], args: argv.slice(1) };
  const script = options.mergeStderr ? `${JOIN_THEN_EXEC} 2>&1` : JOIN_THEN_EXEC;
  return { file: '/bin/sh', args: ['-c', script, 'sh', String(procsFiles.length), ...procsFiles, ...argv] };
}

/** The only environment given to processes the runner starts: the runner's own holds secrets. */
export const LAUNCH_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
