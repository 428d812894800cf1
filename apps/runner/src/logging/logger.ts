import type { LogLevel } from '../config/runner-config.js';

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  log(message: string): void;
  debug(message: string): void;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, log: 2, debug: 3 };

/** One line per message on stderr (stdout stays free for whoever wraps the runner). */
export function createLogger(context: string, level: LogLevel = 'log'): Logger {
  const write = (messageLevel: LogLevel, message: string) => {
    if (RANK[messageLevel] > RANK[level]) return;
    process.stderr.write(`${new Date().toISOString()} ${messageLevel.toUpperCase().padEnd(5)} [${context}] ${message}\n`);
  };
  return {
    error: (message) => write('error', message),
    warn: (message) => write('warn', message),
    log: (message) => write('log', message),
    debug: (message) => write('debug', message),
  };
}

/** Prints a framed block so a degraded mode (no isolation, no cgroups) is hard to miss in the log. */
export function warnLoudly(logger: Logger, lines: string[]): void {
  const bar = '!'.repeat(78);
  logger.warn([bar, ...lines.map((line) => `!! ${line}`), bar].join('\n'));
}
