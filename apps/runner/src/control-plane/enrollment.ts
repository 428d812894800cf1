import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseContract, runnerCredential } from '@daytona/runner-contract';
import { z } from 'zod';

/**
 * What this runner got when it enrolled: its credential (presented to the API, and to register
 * again) and the API's token (what the API presents here). Kept in the data directory, readable
 * by root only; losing it means the operator deletes the runner in the API before it can enroll
 * again under the same name.
 */
const enrollment = z.strictObject({ runnerId: z.string(), name: z.string(), credential: runnerCredential, apiToken: runnerCredential });
export type Enrollment = z.infer<typeof enrollment>;

export function enrollmentFile(dataDir: string): string {
  return path.join(dataDir, 'enrollment.json');
}

/** The saved enrollment for `name`, or null (never enrolled, another name, or unreadable). */
export async function loadEnrollment(dataDir: string, name: string): Promise<Enrollment | null> {
  const text = await readFile(enrollmentFile(dataDir), 'utf8').catch(() => null);
  if (text === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = parseContract(enrollment, value);
  return parsed.ok && parsed.value.name === name ? parsed.value : null;
}

export async function saveEnrollment(dataDir: string, value: Enrollment): Promise<void> {
  const file = enrollmentFile(dataDir);
  await writeFile(`${file}.tmp`, JSON.stringify(value), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}
