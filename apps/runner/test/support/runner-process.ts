import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Compiles the runner to dist/apps/runner (incremental, so cheap when nothing changed). */
export function buildRunner(): void {
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'apps/runner/tsconfig.app.json'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`runner build failed:\n${result.stdout}${result.stderr}`);
}

/** `node dist/apps/runner/main.js` with the given environment; its log is kept for failure messages. */
export class RunnerProcess {
  readonly child: ChildProcess;
  log = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  /** `ownProcessGroup`: as a terminal or supervisor starts it, so the whole group can be signalled. */
  constructor(env: Record<string, string>, options: { ownProcessGroup?: boolean } = {}) {
    this.child = spawn(process.execPath, ['dist/apps/runner/main.js'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.ownProcessGroup ?? false,
    });
    this.child.stdout?.on('data', (chunk) => (this.log += chunk));
    this.child.stderr?.on('data', (chunk) => (this.log += chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  async kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill(signal);
    return this.exited;
  }

  /** Signals every process in the runner's process group (needs `ownProcessGroup`). */
  async killGroup(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    process.kill(-this.child.pid!, signal);
    return this.exited;
  }
}
