import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImageRuntimeConfig } from './image-config.js';

/** An image unpacked on this runner, ready to be a sandbox's lower layer. */
export interface ReadyImage {
  digest: string;
  sizeBytes: number;
  /** The unpacked root filesystem, owned by the mapped host ids; never written to. */
  rootfs: string;
  config: ImageRuntimeConfig;
}

interface EntryFile {
  digest: string;
  sizeBytes: number;
  config: ImageRuntimeConfig;
}

const DIGEST = /^sha256:([a-f0-9]{64})$/;

/**
 * The cache directory (RUNNER_IMAGE_CACHE_DIR, by default {dataDir}/images), content-addressed:
 *   refs.json                          ref -> manifest digest, for every ref pulled here
 *   rootfs/{base}-{size}/sha256-{hex}/ rootfs/ (the files) and image.json (digest, size, config),
 *                                      one per manifest digest and id mapping; complete once it exists
 *   tmp/{pid}/                         pulls in progress of one runner process; a dead one's go at start
 * Runners may share a cache, also at once: every entry appears by one rename, and one that loses
 * the race to commit a digest keeps the winner's.
 */
export class ImageCache {
  readonly root: string;
  readonly tmpDir: string;
  private readonly entriesDir: string;
  private readonly refsFile: string;
  private refsWrite: Promise<void> = Promise.resolve();

  private readonly tmpRoot: string;

  constructor(root: string, idMap: { base: number; size: number }) {
    this.root = root;
    this.tmpRoot = path.join(this.root, 'tmp');
    this.tmpDir = path.join(this.tmpRoot, String(process.pid));
    // Ownership is baked into the unpacked files: another mapping needs its own copy.
    this.entriesDir = path.join(this.root, 'rootfs', `${idMap.base}-${idMap.size}`);
    this.refsFile = path.join(this.root, 'refs.json');
  }

  async init(): Promise<void> {
    await mkdir(this.tmpRoot, { recursive: true, mode: 0o700 });
    for (const entry of await readdir(this.tmpRoot)) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === process.pid || !isAlive(pid)) await rm(path.join(this.tmpRoot, entry), { recursive: true, force: true });
    }
    await mkdir(this.tmpDir, { mode: 0o700 });
    await mkdir(this.entriesDir, { recursive: true, mode: 0o700 });
  }

  async readRefs(): Promise<Map<string, string>> {
    const text = await readFile(this.refsFile, 'utf8').catch(() => '{}');
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      return new Map(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && DIGEST.test(entry[1])));
    } catch {
      return new Map();
    }
  }

  /** Writes the whole map (small: one line per ref), one write at a time, atomically. */
  writeRefs(refs: Map<string, string>): Promise<void> {
    const text = JSON.stringify(Object.fromEntries(refs), null, 1);
    this.refsWrite = this.refsWrite.then(async () => {
      const next = `${this.refsFile}.next`;
      await writeFile(next, text, { mode: 0o600 });
      await rename(next, this.refsFile);
    });
    return this.refsWrite;
  }

  /** The unpacked image of `digest`, if a complete one is on disk. */
  async read(digest: string): Promise<ReadyImage | null> {
    const dir = this.entryDir(digest);
    const text = await readFile(path.join(dir, 'image.json'), 'utf8').catch(() => null);
    if (text === null) return null;
    const entry = JSON.parse(text) as EntryFile;
    const rootfs = path.join(dir, 'rootfs');
    // Entries unpacked before the user was recorded: name it from the image's own passwd.
    const config = entry.config.user ? entry.config : { ...entry.config, user: await userNamed(rootfs, entry.config.uid) };
    return { digest: entry.digest, sizeBytes: entry.sizeBytes, config, rootfs };
  }

  /** A fresh directory for one pull, under tmp/. */
  workDir(): Promise<string> {
    return mkdtemp(path.join(this.tmpDir, 'pull-'));
  }

  /** Moves an unpacked `{dir}/rootfs` into the cache under its digest; it is complete from then on. */
  async commit(dir: string, entry: EntryFile): Promise<ReadyImage> {
    await writeFile(path.join(dir, 'image.json'), JSON.stringify(entry), { mode: 0o600 });
    try {
      await rename(dir, this.entryDir(entry.digest));
    } catch (error) {
      // Another runner sharing the cache committed the same digest first: its copy is as good.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      await rm(dir, { recursive: true, force: true });
    }
    return { ...entry, rootfs: path.join(this.entryDir(entry.digest), 'rootfs') };
  }

  private entryDir(digest: string): string {
    const match = DIGEST.exec(digest);
    if (!match) throw new Error(`Refusing digest ${JSON.stringify(digest)} as a directory name`);
    return path.join(this.entriesDir, `sha256-${match[1]}`);
  }
}

/** The passwd name of `uid` in `rootfs` (`root` for 0), else the number itself. */
async function userNamed(rootfs: string, uid: number): Promise<string> {
  if (uid === 0) return 'root';
  const passwd = await readFile(path.join(rootfs, 'etc', 'passwd'), 'utf8').catch(() => '');
  const line = passwd.split('\n').find((entry) => entry.split(':')[2] === String(uid));
  return line?.split(':')[0] || String(uid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
