import { chmod, chown, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SANDBOX_ID, type RunnerSandboxSpec } from '@daytona/runner-contract';
import { diskTemplate } from '../provider/disk/sandbox-disk.js';

export interface SandboxPaths {
  /** Root-owned, 0711: the sandbox user may pass through to its home but not list it. */
  dir: string;
  /** `host` snapshot under the process provider: owned by the sandbox user, 0700; mounted at /home/daytona. */
  home: string;
  /** The sandbox's own filesystem (sandbox-disk.ts), sized to its `disk`… */
  diskImage: string;
  /** …mounted here while it runs, in the sandbox's own mount namespace; everything below is on it. */
  disk: string;
  /** The loop device the disk was last mounted through (sandbox-disk.ts). */
  diskDevice: string;
  /** `host` snapshot under bwrap: the home, mounted at /home/daytona. */
  diskHome: string;
  /** Image sandboxes: the writable layer over the image (everything the sandbox changed)… */
  upper: string;
  /** …overlayfs' scratch directory… */
  work: string;
  /** …and where the merged root filesystem is mounted while the sandbox runs. */
  rootfs: string;
  /** The spec, env included: root-owned, 0600. */
  specFile: string;
  /** stderr of the sandbox's bwrap, read when a start fails. */
  logFile: string;
  /** Egress sandboxes: their nftables rules, slirp4netns' output, and the resolv.conf they see. */
  egressRules: string;
  networkLog: string;
  resolvConf: string;
}

/** What a sandbox's disk starts as: an empty filesystem made once per size and set of owners (sandbox-disk.ts). */
export type PreparedPaths = SandboxPaths & { diskTemplate: string };

const GIB = 1024 ** 3;

/** Host uid/gid that owns sandbox homes; null when the runner is not root and cannot chown. */
export type HomeOwner = { uid: number; gid: number } | null;

/** {dataDir}/sandboxes/{id}/ on the host: everything a sandbox keeps between starts. */
export class SandboxLayout {
  readonly sandboxesDir: string;

  constructor(
    readonly dataDir: string,
    private readonly homeOwner: HomeOwner,
  ) {
    this.sandboxesDir = path.join(dataDir, 'sandboxes');
  }

  async init(): Promise<void> {
    await mkdir(this.sandboxesDir, { recursive: true });
    // The sandbox user must traverse down to its home (bwrap binds it as that user).
    await chmod(this.dataDir, 0o711);
    await chmod(this.sandboxesDir, 0o711);
  }

  paths(id: string): SandboxPaths {
    if (!SANDBOX_ID.test(id)) throw new Error(`Refusing sandbox id ${JSON.stringify(id)} as a directory name`);
    const dir = path.join(this.sandboxesDir, id);
    const disk = path.join(dir, 'disk');
    return {
      dir,
      home: path.join(dir, 'home'),
      diskImage: path.join(dir, 'disk.img'),
      disk,
      diskDevice: path.join(dir, 'disk.dev'),
      diskHome: path.join(disk, 'home'),
      upper: path.join(disk, 'upper'),
      work: path.join(disk, 'work'),
      rootfs: path.join(dir, 'rootfs'),
      specFile: path.join(dir, 'sandbox.json'),
      logFile: path.join(dir, 'bwrap.log'),
      egressRules: path.join(dir, 'egress.nft'),
      networkLog: path.join(dir, 'network.log'),
      resolvConf: path.join(dir, 'resolv.conf'),
    };
  }

  /** Creates what is missing (a restart reuses the home as it was) and records the spec. */
  async prepare(spec: RunnerSandboxSpec): Promise<SandboxPaths> {
    const paths = this.paths(spec.id);
    await mkdir(paths.dir, { mode: 0o711, recursive: true });
    await mkdirIfMissing(paths.home, 0o700);
    if (this.homeOwner) await ensureOwner(paths.home, this.homeOwner);
    await writeFile(paths.specFile, JSON.stringify(spec), { mode: 0o600 });
    return paths;
  }

  /**
   * The same for a sandbox of an image whose rootfs is `lower`, on a disk of its own: the writable
   * layer's top takes the owner and mode of the image's `/`, which is what `/` looks like through
   * the overlay. The disk is made with it at the first start (so never without it).
   */
  async prepareImage(spec: RunnerSandboxSpec, lower: string): Promise<PreparedPaths> {
    const paths = await this.prepareDisk(spec);
    await mkdirIfMissing(paths.rootfs, 0o755);
    const root = await stat(lower);
    const template = await diskTemplate(
      this.templatesDir,
      [
        { name: 'upper', uid: root.uid, gid: root.gid, mode: root.mode & 0o7777 },
        { name: 'work', uid: 0, gid: 0, mode: 0o700 },
      ],
      spec.disk * GIB,
    );
    return { ...paths, diskTemplate: template };
  }

  /** The same for a `host` sandbox under bwrap: its home is on its disk. */
  async prepareHostDisk(spec: RunnerSandboxSpec, owner: { uid: number; gid: number }): Promise<PreparedPaths> {
    const paths = await this.prepareDisk(spec);
    const template = await diskTemplate(this.templatesDir, [{ name: 'home', uid: owner.uid, gid: owner.gid, mode: 0o700 }], spec.disk * GIB);
    return { ...paths, diskTemplate: template };
  }

  private get templatesDir(): string {
    return path.join(this.dataDir, 'disk-templates');
  }

  private async prepareDisk(spec: RunnerSandboxSpec): Promise<SandboxPaths> {
    const paths = this.paths(spec.id);
    await mkdir(paths.dir, { mode: 0o711, recursive: true });
    await mkdirIfMissing(paths.disk, 0o711);
    await writeFile(paths.specFile, JSON.stringify(spec), { mode: 0o600 });
    return paths;
  }

  async listIds(): Promise<string[]> {
    const entries = await readdir(this.sandboxesDir, { withFileTypes: true }).catch(() => []);
    return entries.filter((entry) => entry.isDirectory() && SANDBOX_ID.test(entry.name)).map((entry) => entry.name);
  }

  async remove(id: string): Promise<void> {
    await rm(this.paths(id).dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** true when it made the directory, false when it was there. */
function mkdirIfMissing(dir: string, mode: number): Promise<boolean> {
  return mkdir(dir, { mode }).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return false;
      throw error;
    },
  );
}

/** Gives `dir` this owner (and mode) unless it already has them. */
async function ensureOwner(dir: string, owner: { uid: number; gid: number; mode?: number }): Promise<void> {
  const current = await stat(dir);
  if (current.uid !== owner.uid || current.gid !== owner.gid) await chown(dir, owner.uid, owner.gid);
  if (owner.mode !== undefined && (current.mode & 0o7777) !== owner.mode) await chmod(dir, owner.mode);
}
