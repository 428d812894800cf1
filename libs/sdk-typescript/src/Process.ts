import type {
  Command,
  Session,
  SessionCommandLogsResponse,
  SessionExecuteRequest,
  SessionExecuteResponse,
} from '@daytonaio/api-client';
import { callApi, type ApiClients } from './api-calls.js';

/** What a command left behind. */
export interface ExecuteResponse {
  /** The command's exit code; 124 when the server killed it at its timeout. */
  exitCode: number;
  /** stdout and stderr interleaved (at most 1 MiB). */
  result: string;
}

/** Arguments and environment of a `codeRun`. */
export interface CodeRunParams {
  /** The program's arguments (`sys.argv[1:]`, `process.argv.slice(2)`). */
  argv?: string[];
  /** Environment variables of this run, over the sandbox's. */
  env?: Record<string, string>;
}

/** The server's default command timeout, in seconds. */
const SERVER_DEFAULT_COMMAND_TIMEOUT = 300;
/** A session command that is not `runAsync` is waited for by the server, at most an hour. */
const SERVER_SESSION_COMMAND_WAIT_SECONDS = 3_600;
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

  /**
   * Runs `code` in the sandbox and waits for it: Python, JavaScript or TypeScript, as the
   * sandbox's `code-toolbox-language` label says (Python without one). An image without the
   * interpreter is DaytonaValidationError `interpreter_not_found` (422). Never retried.
   *
   * @param timeout seconds before the server kills the run (exit code 124); 300 by default
   *
   * @example
   * const { exitCode, result } = await sandbox.process.codeRun('import sys; print(sys.argv[1])', { argv: ['hi'] })
   * // exitCode === 0, result === 'hi\n'
   */
  async codeRun(code: string, params: CodeRunParams = {}, timeout?: number): Promise<ExecuteResponse> {
    const { exitCode, result } = await callApi(
      (options) => this.api.toolbox.codeRun(this.sandboxId, { code, argv: params.argv, envs: params.env, timeout }, options),
      (timeout ?? SERVER_DEFAULT_COMMAND_TIMEOUT) + RESPONSE_MARGIN_SECONDS,
    );
    return { exitCode, result };
  }

  /**
   * Creates a session: a shell that keeps its working directory and environment between the
   * commands run in it. An id the sandbox already has is DaytonaConflictError `session_exists`.
   * Sessions end when the sandbox stops.
   *
   * @example
   * await sandbox.process.createSession('build')
   */
  async createSession(sessionId: string): Promise<void> {
    await callApi((options) => this.api.toolbox.createSession(this.sandboxId, { sessionId }, options), this.api.requestTimeout);
  }

  /**
   * A session and its commands (oldest first, at most the last 1,000). An unknown id is
   * DaytonaNotFoundError `session_not_found`.
   *
   * @example
   * const { commands } = await sandbox.process.getSession('build')
   */
  async getSession(sessionId: string): Promise<Session> {
    return callApi((options) => this.api.toolbox.getSession(this.sandboxId, sessionId, options), this.api.requestTimeout, this.api.retry);
  }

  /**
   * The sandbox's sessions.
   *
   * @example
   * const ids = (await sandbox.process.listSessions()).map((session) => session.sessionId)
   */
  async listSessions(): Promise<Session[]> {
    return callApi((options) => this.api.toolbox.listSessions(this.sandboxId, options), this.api.requestTimeout, this.api.retry);
  }

  /**
   * Ends a session and its running commands.
   *
   * @example
   * await sandbox.process.deleteSession('build')
   */
  async deleteSession(sessionId: string): Promise<void> {
    await callApi((options) => this.api.toolbox.deleteSession(this.sandboxId, sessionId, options), this.api.requestTimeout);
  }

  /**
   * Runs a command in a session's shell (`cd` and `export` last), after those before it. With
   * `runAsync` it answers at once with the `cmdId` (read its output with
   * `getSessionCommandLogs`); without, once the command has ended, with `exitCode` and `output`
   * (the server waits at most an hour). Never retried.
   *
   * @param timeout seconds the client waits for the answer; by default an hour and 30 s
   *   without `runAsync`, the ordinary request timeout with it
   *
   * @example
   * await sandbox.process.executeSessionCommand('build', { command: 'cd app && export MODE=test' })
   * const { cmdId } = await sandbox.process.executeSessionCommand('build', { command: 'make', runAsync: true })
   */
  async executeSessionCommand(sessionId: string, req: SessionExecuteRequest, timeout?: number): Promise<SessionExecuteResponse> {
    const clientTimeout = timeout ?? (req.runAsync ? this.api.requestTimeout : SERVER_SESSION_COMMAND_WAIT_SECONDS + RESPONSE_MARGIN_SECONDS);
    return callApi((options) => this.api.toolbox.sessionExecuteCommand(this.sandboxId, sessionId, req, options), clientTimeout);
  }

  /**
   * One command of a session: `exitCode` is absent while it runs or waits. An unknown id is
   * DaytonaNotFoundError `command_not_found` (or `session_not_found`).
   *
   * @example
   * const { exitCode } = await sandbox.process.getSessionCommand('build', cmdId)
   */
  async getSessionCommand(sessionId: string, commandId: string): Promise<Command> {
    return callApi(
      (options) => this.api.toolbox.getSessionCommand(this.sandboxId, sessionId, commandId, options),
      this.api.requestTimeout,
      this.api.retry,
    );
  }

  /**
   * A session command's output so far: `output` (stdout and stderr interleaved), `stdout`,
   * `stderr`, and `truncated` when output was dropped (past 1 MiB per command).
   *
   * @example
   * const { stdout, stderr } = await sandbox.process.getSessionCommandLogs('build', cmdId)
   */
  async getSessionCommandLogs(sessionId: string, commandId: string): Promise<SessionCommandLogsResponse> {
    return callApi(
      (options) => this.api.toolbox.getSessionCommandLogs(this.sandboxId, sessionId, commandId, options),
      this.api.requestTimeout,
      this.api.retry,
    );
  }
}
