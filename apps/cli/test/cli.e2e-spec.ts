// The `daytona` command as a user runs it, against a live stack.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  daytona,
  daytonaJson,
  daytonaOnTerminal,
  ESC,
  expectedNames,
  pushBrokenImage,
  uniquePrefix,
  untilNoneNamed,
  type SandboxJson,
} from './cli-support.js';

interface SnapshotJson {
  name: string;
  state: string;
  imageName: string;
}

describe('one sandbox: create, get, exec, delete', () => {
  const name = uniquePrefix('one');

  afterAll(() => daytona(['sandbox', 'bulk-delete', '--prefix', name]));

  it('creates a started sandbox with labels and env, and shows it', async () => {
    const created = await daytonaJson<SandboxJson>(['sandbox', 'create', '--name', name, '--label', 'team=cli', '--env', 'GREETING=hello world', '--wait']);
    expect(created).toMatchObject({ name, state: 'started', labels: { team: 'cli' }, env: { GREETING: 'hello world' } });

    const shown = await daytona(['sandbox', 'get', name]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^id: +${created.id}$`, 'm'));
    expect(shown.stdout).toMatch(/^state: +started$/m);
    expect(shown.stdout).toMatch(/^labels: +team=cli$/m);
    // Env values may be secrets: only names without --json.
    expect(shown.stdout).toMatch(/^env: +GREETING$/m);
    expect(shown.stdout).not.toContain('hello world');
  });

  it("exec prints the command's output and exits with its exit code", async () => {
    const greeting = await daytona(['sandbox', 'exec', name, '--', 'printenv', 'GREETING']);
    expect(greeting).toEqual({ code: 0, stdout: 'hello world\n', stderr: '' });

    const script = await daytona(['sandbox', 'exec', name, '--', 'echo out; exit 7']);
    expect(script.code).toBe(7);
    expect(script.stdout).toBe('out\n');

    const quoted = await daytona(['sandbox', 'exec', name, '--', 'printf', '%s|', 'a b', "it's"]);
    expect(quoted.stdout).toBe("a b|it's|");

    const json = await daytona(['sandbox', 'exec', name, '--json', '--', 'exit 3']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toEqual({ exitCode: 3, result: '' });
  });

  it("delete removes it; then get exits 1 with the API's error code on stderr", async () => {
    const deleted = await daytona(['sandbox', 'delete', name]);
    expect(deleted).toMatchObject({ code: 0, stdout: `Deleted ${name}\n` });
    const gone = await daytona(['sandbox', 'get', name]);
    expect(gone.code).toBe(1);
    expect(gone.stdout).toBe('');
    expect(gone.stderr).toMatch(/^error: .*\(sandbox_not_found, HTTP 404\)/);
  });
});

describe('a fleet: bulk-create with labels and env, list, bulk-delete', () => {
  const prefix = uniquePrefix('fleet');
  const run = prefix;

  afterAll(() => daytona(['sandbox', 'bulk-delete', '--label', `run=${run}`]));

  it('without a terminal, --await-started reports progress as plain lines on stderr and the sandboxes as JSON on stdout', async () => {
    const result = await daytona(['sandbox', 'bulk-create', '--count', '3', '--prefix', prefix, '--label', `run=${run}`, '--env', 'RUN_ID=7', '--await-started', '--json']);
    expect(result.code).toBe(0);
    const sandboxes = JSON.parse(result.stdout) as SandboxJson[];
    expect(sandboxes.map((s) => s.name)).toEqual(expectedNames(prefix, 3));
    expect(sandboxes.every((s) => s.state === 'started' && s.labels.run === run && s.env.RUN_ID === '7')).toBe(true);
    expect(result.stderr).not.toContain(ESC);
    const lines = result.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.at(-1)).toMatch(/^created 3\/3 \| creating 0 \| starting 0 \| started 3 \| error 0 \| \d+\.\ds$/);
  });

  it('the env reaches every sandbox of the item', async () => {
    for (const name of expectedNames(prefix, 3)) {
      expect((await daytona(['sandbox', 'exec', name, '--', 'printenv RUN_ID'])).stdout).toBe('7\n');
    }
  });

  it('list filters by label and pages', async () => {
    const listed = await daytonaJson<SandboxJson[]>(['sandbox', 'list', '--label', `run=${run}`]);
    expect(listed.map((s) => s.name).sort()).toEqual(expectedNames(prefix, 3));

    const table = await daytona(['sandbox', 'list', '--label', `run=${run}`]);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME +STATE +SNAPSHOT +LABELS +CREATED +ID$/);
    expect(table.stdout.trim().split('\n')).toHaveLength(4);

    const first = await daytona(['sandbox', 'list', '--label', `run=${run}`, '--limit', '2', '--page', '1', '--json']);
    const second = await daytona(['sandbox', 'list', '--label', `run=${run}`, '--limit', '2', '--page', '2', '--json']);
    expect(first.stderr).toContain('(page 1 of 2, 3 sandboxes in all)');
    const pages = [...JSON.parse(first.stdout), ...JSON.parse(second.stdout)] as SandboxJson[];
    expect(pages.map((s) => s.name).sort()).toEqual(expectedNames(prefix, 3));

    const limited = await daytona(['sandbox', 'list', '--label', `run=${run}`, '--limit', '2', '--json']);
    expect(JSON.parse(limited.stdout)).toHaveLength(2);
    expect(limited.stderr).toContain('more match: showing the first 2');
  });

  it('bulk-delete refuses an empty selector (exit 2) and deletes exactly the labelled ones', async () => {
    const empty = await daytona(['sandbox', 'bulk-delete']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/name at least one selector/);

    const other = uniquePrefix('keep');
    await daytonaJson(['sandbox', 'create', '--name', other, '--label', 'run=someone-else']);
    try {
      expect(await daytonaJson(['sandbox', 'bulk-delete', '--label', `run=${run}`])).toEqual({ count: 3 });
      await untilNoneNamed(prefix);
      expect((await daytonaJson<SandboxJson>(['sandbox', 'get', other])).name).toBe(other);
    } finally {
      await daytona(['sandbox', 'delete', other]);
    }
  });
});

describe('on a terminal', () => {
  const prefix = uniquePrefix('tty');

  afterAll(() => daytona(['sandbox', 'bulk-delete', '--prefix', `${prefix}-`]));

  it('bulk-create --await-started draws a progress bar that reaches the total', async () => {
    const result = await daytonaOnTerminal(['sandbox', 'bulk-create', '--count', '4', '--prefix', prefix, '--await-started']);
    expect(result.code).toBe(0);
    // Redrawn in place: cursor control, and the bar both empty at first and full at the end.
    expect(result.stdout).toContain(`${ESC}[`);
    expect(result.stdout).toMatch(/░{30} created \d\/4/);
    expect(result.stdout).toMatch(/█{30} created 4\/4 \| creating 0 \| starting 0 \| started 4 \| error 0 \| \d+\.\ds/);
    expect(result.stdout).toContain(`Created 4 of 4 sandboxes`);
    expect(result.stdout).toMatch(/Started 4 of 4 in \d+\.\ds/);
  });
});

describe('errors and exit codes', () => {
  it('a usage error exits 2 with commander\'s message', async () => {
    const result = await daytona(['sandbox', 'bulk-create', '--count', 'many']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/expected a whole number/);
    expect((await daytona(['sandbox', 'frobnicate'])).code).toBe(2);
  });

  it("an API refusal exits 1 with the API's code and details", async () => {
    const result = await daytona(['sandbox', 'bulk-create', '--count', '2', '--snapshot', 'no-such-snapshot']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\(snapshot_not_found, HTTP 404\)/);
  });

  it('a bad API key exits 1 with the authentication error', async () => {
    const result = await daytona(['sandbox', 'list'], { env: { DAYTONA_API_KEY: 'dtn_wrong' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/HTTP 401/);
  });

  it('reads the URL and key from .env.local as npm start writes it, like the SDK', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-envfile-'));
    try {
      writeFileSync(join(dir, '.env.local'), `DAYTONA_API_URL=${process.env.DAYTONA_API_URL}\nDAYTONA_API_KEY=${process.env.DAYTONA_API_KEY}\n`);
      const nested = join(dir, 'sub');
      mkdirSync(nested);
      const result = await daytona(['snapshot', 'list', '--json'], { cwd: nested, env: { DAYTONA_API_URL: undefined, DAYTONA_API_KEY: undefined } });
      expect(result.code).toBe(0);
      expect((JSON.parse(result.stdout) as SnapshotJson[]).map((s) => s.name)).toContain('default');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('snapshots, and sandboxes that end in error', () => {
  const name = uniquePrefix('snap');
  const prefix = uniquePrefix('broken');
  let registryHost: string;

  beforeAll(async () => {
    const snapshots = await daytonaJson<SnapshotJson[]>(['snapshot', 'list']);
    registryHost = snapshots.find((s) => s.name === 'default')!.imageName.split('/')[0];
  });

  afterAll(async () => {
    await daytona(['sandbox', 'bulk-delete', '--prefix', `${prefix}-`]);
    await untilNoneNamed(prefix).catch(() => undefined);
    await daytona(['snapshot', 'delete', name]);
  });

  it('snapshot create waits until the image is pulled; list shows it', async () => {
    const image = await pushBrokenImage(registryHost);
    const created = await daytona(['snapshot', 'create', name, '--image', image, '--json'], {});
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name, state: 'active', imageName: image });
    expect(created.stderr).toContain(`Created snapshot ${name} (active)`);
    const table = await daytona(['snapshot', 'list']);
    expect(table.stdout).toMatch(new RegExp(`^${name} +active +${image.replaceAll('.', '\\.')} `, 'm'));
  });

  it("bulk-create --await-started exits 1 when sandboxes end in error, listing the runner's reason", async () => {
    const result = await daytona(['sandbox', 'bulk-create', '--count', '2', '--prefix', prefix, '--snapshot', name, '--await-started']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/created 2\/2 \| creating 0 \| starting 0 \| started 0 \| error 2/);
    expect(result.stderr).toMatch(new RegExp(`2 sandboxes ended in error:\\n  ${prefix}-00001, ${prefix}-00002: \\S`));
    expect(result.stdout).toMatch(/Started 0 of 2/);
  });

  it('snapshot delete is refused while sandboxes use it, then deletes it', async () => {
    const refused = await daytona(['snapshot', 'delete', name]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/snapshot_in_use/);
    await daytona(['sandbox', 'bulk-delete', '--prefix', `${prefix}-`]);
    await untilNoneNamed(prefix);
    expect(await daytona(['snapshot', 'delete', name])).toMatchObject({ code: 0, stdout: `Deleted snapshot ${name}\n` });
    expect((await daytona(['snapshot', 'list'])).stdout).not.toContain(name);
  });
});
