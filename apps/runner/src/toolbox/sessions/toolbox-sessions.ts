import {
  MAX_EXEC_TIMEOUT_SECONDS,
  MAX_SESSIONS_PER_SANDBOX,
  type Session,
  type SessionCommand,
  type SessionCommandLogs,
  type SessionExecuteRequest,
  type SessionExecuteResponse,
} from '@daytona/runner-contract';
import { RunnerError } from '../../errors/runner-error.js';
import type { RunningSandbox } from '../../provider/sandbox-provider.js';
import { SandboxSession, type SessionLimits } from './sandbox-session.js';

/**
 * The process sessions of every started sandbox. They belong to one start of a sandbox (its
 * RunningSandbox): stopping it kills their shells and a new start has none, so they end with it.
 */
export class ToolboxSessions {
  private readonly bySandbox = new WeakMap<RunningSandbox, Map<string, SandboxSession>>();

  constructor(private readonly limits: SessionLimits) {}

  create(sandbox: RunningSandbox, sessionId: string): void {
    const sessions = this.of(sandbox);
    if (sessions.has(sessionId)) throw new RunnerError('session_exists', `Session ${sessionId} already exists`);
    if (sessions.size >= MAX_SESSIONS_PER_SANDBOX) {
      throw new RunnerError('session_limit_exceeded', `A sandbox holds at most ${MAX_SESSIONS_PER_SANDBOX} sessions; delete one first`);
    }
    sessions.set(sessionId, new SandboxSession(sessionId, sandbox, this.limits));
  }

  list(sandbox: RunningSandbox): Session[] {
    return [...this.of(sandbox).values()].map((session) => session.describe());
  }

  get(sandbox: RunningSandbox, sessionId: string): Session {
    return this.session(sandbox, sessionId).describe();
  }

  delete(sandbox: RunningSandbox, sessionId: string): void {
    this.session(sandbox, sessionId).close();
    this.of(sandbox).delete(sessionId);
  }

  /** With runAsync, answers at once; else once the command is done (at most an hour, then as if async). */
  async execute(sandbox: RunningSandbox, sessionId: string, request: SessionExecuteRequest): Promise<SessionExecuteResponse> {
    const session = this.session(sandbox, sessionId);
    const { id, done } = session.execute(request.command);
    if (request.runAsync) return { cmdId: id };
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      done.then(() => 'done' as const),
      new Promise<'waiting'>((resolve) => (timer = setTimeout(resolve, MAX_EXEC_TIMEOUT_SECONDS * 1000, 'waiting'))),
    ]);
    clearTimeout(timer);
    if (waited === 'waiting') return { cmdId: id };
    const { exitCode } = session.command(id);
    const { output, stdout, stderr } = session.logs(id);
    return { cmdId: id, ...(exitCode === undefined ? {} : { exitCode }), output, stdout, stderr };
  }

  command(sandbox: RunningSandbox, sessionId: string, commandId: string): SessionCommand {
    return this.session(sandbox, sessionId).command(commandId);
  }

  logs(sandbox: RunningSandbox, sessionId: string, commandId: string): SessionCommandLogs {
    return this.session(sandbox, sessionId).logs(commandId);
  }

  private session(sandbox: RunningSandbox, sessionId: string): SandboxSession {
    const session = this.of(sandbox).get(sessionId);
    if (!session) throw new RunnerError('session_not_found', `Session ${sessionId} does not exist in this sandbox`);
    return session;
  }

  private of(sandbox: RunningSandbox): Map<string, SandboxSession> {
    let sessions = this.bySandbox.get(sandbox);
    if (!sessions) this.bySandbox.set(sandbox, (sessions = new Map()));
    return sessions;
  }
}
