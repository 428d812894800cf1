import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { LAUNCH_ENV } from './cgroup-launcher.js';

// One request a line, `OP<TAB>ID<TAB>ARGUMENT`; one answer a line, `ID ok` or `ID error WORDS`.
// Each request in a background subshell: unmounting a disk waits for its writes to reach the
// device, and one slow unmount must not hold up the rest. Short lines are written atomically.
const SCRIPT = `launcher=$1 tab=$(printf '\\t')
while IFS="$tab" read -r op id arg; do
  (
    case "$op" in
      remount-suid) out=$(exec "$launcher" remount-suid "$arg" 2>&1) ;;
      umount) out=$(exec umount -- "$arg" 2>&1) ;;
      umount-lazy) out=$(exec umount --lazy -- "$arg" 2>&1) ;;
      *) out="unknown operation $op"; false ;;
    esac
    if [ $? -eq 0 ]; then echo "$id ok"; else echo "$id error $(echo "$out" | tr '\\n' ' ')"; fi
  ) &
done
wait`;

export type MountOperation = 'remount-suid' | 'umount' | 'umount-lazy';

/**
 * A root shell that runs remounts and umounts for the runner. Starting an image sandbox
 * needs a remount; forking them from the runner would block its event loop for milliseconds
 * each (fork copies the page tables of a large process), this shell forks in a blink. Requests
 * run side by side; a helper that died is replaced on the next request.
 */
export class MountHelper {
  private child: ChildProcess | null = null;
  private readonly pending = new Map<number, { child: ChildProcess; resolve: () => void; reject: (error: Error) => void }>();
  private nextId = 1;

  /** `launcher`: sandbox-launch (sandbox-launch.c), which does the remounts. */
  constructor(private readonly launcher: string) {}

  run(operation: MountOperation, argument: string): Promise<void> {
    if (/[\t\n]/.test(argument)) return Promise.reject(new Error(`Refusing ${JSON.stringify(argument)}: it contains a tab or a newline`));
    const child = this.child ?? this.spawn();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { child, resolve, reject });
      child.stdin?.write(`${operation}\t${id}\t${argument}\n`);
    });
  }

  close(): void {
    this.child?.stdin?.end();
    this.child = null;
  }

  private spawn(): ChildProcess {
    const child = spawn('/bin/sh', ['-c', SCRIPT, 'sh', this.launcher], { stdio: ['pipe', 'pipe', 'inherit'], env: LAUNCH_ENV });
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const [id, outcome, ...words] = line.split(' ');
      const request = this.pending.get(Number(id));
      if (!request) return;
      this.pending.delete(Number(id));
      if (outcome === 'ok') request.resolve();
      else request.reject(new Error(words.join(' ').trim() || 'failed'));
    });
    const failAll = (why: string) => {
      if (this.child === child) this.child = null;
      for (const [id, request] of this.pending) {
        if (request.child !== child) continue;
        request.reject(new Error(`the mount helper ${why}`));
        this.pending.delete(id);
      }
    };
    child.once('exit', (code, signal) => failAll(`ended with ${code ?? signal}`));
    child.once('error', (error) => failAll(`could not run: ${error.message}`));
    child.stdin?.on('error', () => undefined); // reported by exit
    return child;
  }
}
