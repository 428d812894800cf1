import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import { LAUNCH_ENV } from '../cgroup-launcher.js';

/** A process launch-server.c started: its exit, and what it wrote on fds 3 and 4. */
export interface LaunchedProcess {
  readonly pid: number;
  /** `exit CODE` or `exit SIGNAME`, once it ended. */
  readonly exited: Promise<string>;
  readonly hasExited: boolean;
  /** Each chunk it wrote on fd 3 (bwrap's info), in order. */
  onInfo(listener: (chunk: Buffer) => void): void;
  /** Resolves once it wrote on fd 4. */
  readonly ready: Promise<void>;
  /** Signals it, unless it already ended (its pid may be another process's by then). */
  kill(signal: NodeJS.Signals): void;
}

export interface LaunchRequest {
  argv: string[];
  /** Its stdout and stderr (truncated, 0600). */
  logFile: string;
  /** Opened read-only as its fds 5, 6, …, in this order. */
  files: string[];
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, number]) => [number, name]));
// How often the runner looks for the end of processes launched by a server that died meanwhile.
const ORPHAN_POLL_MS = 250;

class Launched implements LaunchedProcess {
  hasExited = false;
  readonly exited: Promise<string>;
  readonly ready: Promise<void>;
  private endWith!: (how: string) => void;
  private markReady!: () => void;
  private infoListeners: Array<(chunk: Buffer) => void> = [];
  private infoSeen: Buffer[] = [];
  pid = 0;

  constructor() {
    this.exited = new Promise((resolve) => (this.endWith = resolve));
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  onInfo(listener: (chunk: Buffer) => void): void {
    for (const chunk of this.infoSeen) listener(chunk);
    this.infoListeners.push(listener);
  }

  info(chunk: Buffer): void {
    this.infoSeen.push(chunk);
    for (const listener of this.infoListeners) listener(chunk);
  }

  becameReady(): void {
    this.markReady();
  }

  end(how: string): void {
    if (this.hasExited) return;
    this.hasExited = true;
    this.endWith(how);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.hasExited || this.pid === 0) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // gone meanwhile
    }
  }
}

/**
 * The runner's end of launch-server.c: sandbox processes are forked by that small server rather
 * than by the runner, whose every fork copies its page tables on its one thread (milliseconds once
 * it is large). A server that died is replaced on the next launch; processes it had started are
 * then watched by their pid until they end.
 */
export class LaunchServer {
  private child: ChildProcess | null = null;
  private readonly launched = new Map<string, { server: ChildProcess; process: Launched }>();
  private nextId = 1;

  constructor(private readonly server: string) {}

  launch(request: LaunchRequest): LaunchedProcess {
    const fields = [request.logFile, String(request.files.length), ...request.files, String(request.argv.length), ...request.argv];
    const launched = new Launched();
    const bad = fields.find((field) => field.includes('\0'));
    if (bad !== undefined || request.argv.length === 0) {
      launched.end(`spawn error ${bad !== undefined ? `an argument holds a NUL byte: ${JSON.stringify(bad)}` : 'nothing to run'}`);
      return launched;
    }
    const server = this.child ?? this.spawn();
    const id = String(this.nextId++);
    this.launched.set(id, { server, process: launched });
    server.stdin?.write(`${[id, ...fields].join('\0')}\0`);
    return launched;
  }

  close(): void {
    this.child?.stdin?.end();
    this.child = null;
  }

  private spawn(): ChildProcess {
    const child = spawn(this.server, [], { stdio: ['pipe', 'pipe', 'inherit'], env: LAUNCH_ENV });
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => this.answer(line));
    const orphan = (why: string) => {
      if (this.child === child) this.child = null;
      for (const [id, entry] of this.launched) {
        if (entry.server !== child) continue;
        this.launched.delete(id);
        if (entry.process.pid === 0) entry.process.end(`spawn error the launch server ${why}`);
        else watchUntilGone(entry.process);
      }
    };
    child.once('exit', (code, signal) => orphan(`ended with ${code ?? signal}`));
    child.once('error', (error) => orphan(`could not run: ${error.message}`));
    child.stdin?.on('error', () => undefined); // reported by exit
    return child;
  }

  private answer(line: string): void {
    const [id, what, detail = ''] = line.split(' ', 3);
    const entry = this.launched.get(id);
    if (!entry) return;
    const launched = entry.process;
    switch (what) {
      case 'pid':
        launched.pid = Number(detail);
        break;
      case 'info':
        launched.info(Buffer.from(detail, 'hex'));
        break;
      case 'ready':
        launched.becameReady();
        break;
      case 'fail':
        this.launched.delete(id);
        launched.end(`spawn error ${line.slice(id.length + 6)}`);
        break;
      case 'exit':
        this.launched.delete(id);
        launched.end(`exit ${detail}`);
        break;
      case 'signal':
        this.launched.delete(id);
        launched.end(`exit ${SIGNAL_NAMES.get(Number(detail)) ?? detail}`);
        break;
    }
  }
}

/** For a process whose server died: it was reparented, so only its pid tells when it ends. */
function watchUntilGone(launched: Launched): void {
  const timer = setInterval(() => {
    try {
      process.kill(launched.pid, 0);
    } catch {
      clearInterval(timer);
      launched.end('exit unknown (its launch server died)');
    }
  }, ORPHAN_POLL_MS);
  timer.unref();
}
