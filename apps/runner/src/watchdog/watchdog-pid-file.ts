import { readFile, rename, rm, writeFile } from 'node:fs/promises';

/** A pid alone can be reused; with the process's start time it names one process only. */
export interface ProcessIdentity {
  pid: number;
  startTime: string;
}

interface ProcStat {
  state: string;
  parentPid: number;
  startTime: string;
}

async function readProcStat(pid: number | 'self'): Promise<ProcStat | null> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (text === null) return null;
  // Field 2 (the command name) may hold spaces and parentheses, so fields are counted from the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], parentPid: Number(fields[1]), startTime: fields[19] };
}

export async function ownIdentity(): Promise<ProcessIdentity> {
  const stat = await readProcStat('self');
  if (!stat) throw new Error('cannot read /proc/self/stat');
  return { pid: process.pid, startTime: stat.startTime };
}

/** The current parent: once the process that spawned us has died, this is no longer its pid. */
export async function parentPid(): Promise<number> {
  return (await readProcStat('self'))?.parentPid ?? 0;
}

/** Whether that very process still runs (a zombie has finished running). */
export async function isRunning(identity: ProcessIdentity): Promise<boolean> {
  const stat = await readProcStat(identity.pid);
  return stat !== null && stat.startTime === identity.startTime && stat.state !== 'Z';
}

/** Written whole or not at all: a reader never sees half a file. */
export async function writePidFile(file: string, identity: ProcessIdentity): Promise<void> {
  const temporary = `${file}.${identity.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(identity), { mode: 0o644 });
  await rename(temporary, file);
}

export async function readPidFile(file: string): Promise<ProcessIdentity | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const parsed = JSON.parse(text) as Partial<ProcessIdentity>;
    return typeof parsed.pid === 'number' && typeof parsed.startTime === 'string' ? { pid: parsed.pid, startTime: parsed.startTime } : null;
  } catch {
    return null;
  }
}

/** Removes the file if it still names `identity` (a successor may have written its own). */
export async function removePidFileIfOwn(file: string, identity: ProcessIdentity): Promise<void> {
  const recorded = await readPidFile(file);
  if (recorded?.pid === identity.pid && recorded.startTime === identity.startTime) await rm(file, { force: true });
}
