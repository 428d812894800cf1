import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { constants } from 'node:os';
import { MAX_COMMANDS_PER_SESSION, type Session, type SessionCommand, type SessionCommandLogs } from '@daytona/runner-contract';
import { RunnerError } from '../../errors/runner-error.js';
import { killProcessGroup } from '../../provider/command-process.js';
import type { RunningSandbox } from '../../provider/sandbox-provider.js';
import { CommandLog } from './command-log.js';
import { OutputMarkerSplitter, sessionMarkers } from './output-markers.js';

export interface SessionLimits {
  /** Output kept per command. */
  outputLimitBytes: number;
  /** Output kept per session: past it, the oldest finished commands' output is dropped. */
  sessionLogBytes: number;
}

interface CommandRecord {
  id: string;
  command: string;
  exitCode?: number;
  log: CommandLog;
  /** End markers still to come (stdout, stderr). */
  pendingEnds: number;
  done: Promise<void>;
  markDone(): void;
}

/**
 * One long-lived /bin/sh inside the sandbox, reading commands on stdin: each runs in the shell
 * itself (`command eval`, so `cd` and `export` last and a syntax error does not end the shell),
 * with stdin from /dev/null, between markers on stdout and stderr that attribute the output and
 * carry the exit status. Commands run one after another, in the order they came.
 */
export class SandboxSession {
  private readonly commands = new Map<string, CommandRecord>();
  /** Commands whose output is still to come on stdout and stderr, oldest first. */
  private readonly stdoutQueue: CommandRecord[] = [];
  private readonly stderrQueue: CommandRecord[] = [];
  private stdoutCurrent: CommandRecord | null = null;
  private stderrCurrent: CommandRecord | null = null;
  private readonly token = randomBytes(12).toString('hex');
  private readonly shell: ChildProcess;
  private endedWith: string | null = null;

  constructor(
    readonly sessionId: string,
    sandbox: RunningSandbox,
    private readonly limits: SessionLimits,
  ) {
    this.shell = sandbox.spawn({ kind: 'script', script: 'exec /bin/sh', args: [], env: {} });
    this.shell.stdin!.on('error', () => undefined); // a shell that is gone is reported by 'close'
    this.follow('stdout', new OutputMarkerSplitter(this.token));
    this.follow('stderr', new OutputMarkerSplitter(this.token));
    this.shell.once('error', (error) => this.end(`the session shell could not start: ${error.message}`, 127));
    this.shell.once('close', (code, signal) => this.end('the session shell exited', code ?? 128 + (signal ? constants.signals[signal] : 0)));
  }

  get ended(): boolean {
    return this.endedWith !== null;
  }

  /** Queues a command; resolves with its id and when it is done. */
  execute(command: string): { id: string; done: Promise<void> } {
    if (this.endedWith) throw new RunnerError('session_ended', `Session ${this.sessionId} has ended (${this.endedWith}); create a new one`);
    let markDone!: () => void;
    const done = new Promise<void>((resolve) => (markDone = resolve));
    const record: CommandRecord = { id: randomUUID(), command, log: new CommandLog(this.limits.outputLimitBytes), pendingEnds: 2, done, markDone };
    this.commands.set(record.id, record);
    this.stdoutQueue.push(record);
    this.stderrQueue.push(record);
    this.forgetOldCommands();
    const markers = sessionMarkers(this.token);
    const quoted = `'${command.replaceAll("'", `'\\''`)}'`;
    this.shell.stdin!.write(
      `printf '%s' '${markers.start}'; printf '%s' '${markers.start}' >&2\n` +
        `command eval ${quoted} </dev/null\n` +
        `printf '${markers.endWithStatus}' "$?"; printf '%s' '${markers.end}' >&2\n`,
    );
    return { id: record.id, done };
  }

  describe(): Session {
    return { sessionId: this.sessionId, commands: [...this.commands.values()].map(describeCommand) };
  }

  command(id: string): SessionCommand {
    return describeCommand(this.record(id));
  }

  logs(id: string): SessionCommandLogs {
    return this.record(id).log.read();
  }

  /** Kills the shell and everything it started (one process group). */
  close(): void {
    if (this.shell.pid !== undefined) killProcessGroup(this.shell.pid);
    this.end('the session was deleted', 137);
  }

  private record(id: string): CommandRecord {
    const record = this.commands.get(id);
    if (!record) throw new RunnerError('command_not_found', `Session ${this.sessionId} has no command ${id}`);
    return record;
  }

  private follow(stream: 'stdout' | 'stderr', splitter: OutputMarkerSplitter): void {
    const queue = stream === 'stdout' ? this.stdoutQueue : this.stderrQueue;
    this.shell[stream]!.on('data', (chunk: Buffer) => {
      for (const event of splitter.push(chunk)) {
        const current = stream === 'stdout' ? this.stdoutCurrent : this.stderrCurrent;
        if (event.kind === 'data') {
          // Between commands, only background processes write: that output belongs to none.
          current?.log.append(stream, event.data);
        } else if (event.kind === 'start') {
          this.setCurrent(stream, queue.shift() ?? null);
        } else if (current) {
          if (stream === 'stdout' && event.exitCode !== null) current.exitCode = event.exitCode;
          this.setCurrent(stream, null);
          this.finishOne(current);
        }
      }
    });
  }

  private setCurrent(stream: 'stdout' | 'stderr', record: CommandRecord | null): void {
    if (stream === 'stdout') this.stdoutCurrent = record;
    else this.stderrCurrent = record;
  }

  private finishOne(record: CommandRecord): void {
    if (--record.pendingEnds > 0) return;
    record.markDone();
    this.keepWithinLogBudget();
  }

  /** The shell is gone: the command it was running ends with its status; those after it never run. */
  private end(reason: string, status: number): void {
    if (this.endedWith) return;
    this.endedWith = reason;
    for (const record of this.commands.values()) {
      if (record.pendingEnds === 0) continue;
      const started = record === this.stdoutCurrent || record === this.stderrCurrent;
      if (started && record.exitCode === undefined) record.exitCode = status;
      record.pendingEnds = 0;
      record.markDone();
    }
  }

  private forgetOldCommands(): void {
    for (const record of this.commands.values()) {
      if (this.commands.size <= MAX_COMMANDS_PER_SESSION) return;
      if (record.pendingEnds === 0) this.commands.delete(record.id);
    }
  }

  private keepWithinLogBudget(): void {
    let total = 0;
    for (const record of this.commands.values()) total += record.log.size;
    for (const record of this.commands.values()) {
      if (total <= this.limits.sessionLogBytes) return;
      if (record.pendingEnds > 0) continue;
      total -= record.log.size;
      record.log.discard();
    }
  }
}

function describeCommand(record: CommandRecord): SessionCommand {
  return { id: record.id, command: record.command, ...(record.exitCode === undefined ? {} : { exitCode: record.exitCode }) };
}
