import { constants } from 'node:fs';
import { access, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `nx run runner:build` puts the helper: next to the compiled runner (dist/apps/runner). */
export const DEFAULT_TOOLBOX_HELPER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'toolbox-helper');

/**
 * The static toolbox helper (apps/runner/toolbox-helper), held open for the runner's life: each
 * file operation execs it from this descriptor inside the sandbox, so no sandbox needs a copy.
 */
export class ToolboxHelper {
  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  /** null when there is no helper at `file` (file operations then fail with that reason). */
  static async open(file: string): Promise<ToolboxHelper | null> {
    try {
      await access(file, constants.X_OK);
      return new ToolboxHelper(await open(file, 'r'), file);
    } catch {
      return null;
    }
  }

  get fd(): number {
    return this.handle.fd;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
