import { callApi, type ApiClients } from './api-calls.js';

/** What a command left behind. */
export interface ExecuteResponse {
  /** The command's exit code; 124 when the server killed it at its timeout. */
  exitCode: number;
  /** stdout and stderr interleaved (at most 1 MiB). */
  result: string;
}

/** The server's default command timeout, in seconds. */
const SERVER_DEFAULT_COMMAND_TIMEOUT = 300;
/** The server answers up to 15 s after the command's timeout; the client waits longer still. */
const RESPONSE_MARGIN_SECONDS = 30;

/** Runs commands inside one sandbox. Reach it as `sandbox.process`. */
export class Process {
  /** @internal Sandboxes create their own Process. */
  constructor(
    private readonly sandboxId: string,
    private readonly api: ApiClients,
  ) {}

  /**
   * Runs `command` with `/bin/sh -c` inside the sandbox and waits for it to finish. Files and
   * background processes persist between calls.
   *
   * @param cwd working directory; the sandbox's home directory by default
   * @param env extra environment variables for this command
   * @param timeout seconds before the server kills the command (exit code 124); 300 by default
   *
   * @example
   * const { exitCode, result } = await sandbox.process.executeCommand('echo hello')
   * // exitCode === 0, result === 'hello\n'
   * await sandbox.process.executeCommand('npm test', '/home/daytona/app', { CI: '1' }, 600)
   */
  async executeCommand(
    command: string,
    cwd?: string,
    env?: Record<string, string>,
    timeout?: number,
  ): Promise<ExecuteResponse> {
    // Never retried: a command that reached the sandbox may have run, and would run twice.
    const { exitCode, result } = await callApi(
      (options) => this.api.toolbox.executeCommand(this.sandboxId, { command, cwd, env, timeout }, options),
      (timeout ?? SERVER_DEFAULT_COMMAND_TIMEOUT) + RESPONSE_MARGIN_SECONDS,
    );
    return { exitCode, result };
  }
}
