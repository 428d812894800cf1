import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_API_URL, parseEnvFile, resolveConfig } from './config.js';
import { Daytona } from './Daytona.js';
import { DaytonaError } from './errors.js';
import { StubApi } from './testing/stub-api.js';

/** A project directory with `.env.local` two levels above the working directory. */
function projectWithEnvFile(content: string): { root: string; cwd: string } {
  const root = mkdtempSync(join(tmpdir(), 'sdk-config-'));
  writeFileSync(join(root, '.env.local'), content);
  const cwd = join(root, 'packages', 'app');
  mkdirSync(cwd, { recursive: true });
  return { root, cwd };
}

describe('resolveConfig', () => {
  const dirs: string[] = [];
  const project = (content: string) => {
    const made = projectWithEnvFile(content);
    dirs.push(made.root);
    return made;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('prefers constructor arguments over the environment and .env.local', () => {
    const { cwd } = project('DAYTONA_API_KEY=file-key\nDAYTONA_API_URL=http://file:1/api\n');
    const env = { DAYTONA_API_KEY: 'env-key', DAYTONA_API_URL: 'http://env:2/api' };
    expect(resolveConfig({ apiKey: 'arg-key', apiUrl: 'http://arg:3/api' }, env, cwd)).toMatchObject({
      apiKey: 'arg-key',
      apiUrl: 'http://arg:3/api',
    });
  });

  it('prefers the environment over .env.local', () => {
    const { cwd } = project('DAYTONA_API_KEY=file-key\nDAYTONA_API_URL=http://file:1/api\n');
    const env = { DAYTONA_API_KEY: 'env-key', DAYTONA_API_URL: 'http://env:2/api' };
    expect(resolveConfig({}, env, cwd)).toMatchObject({ apiKey: 'env-key', apiUrl: 'http://env:2/api' });
  });

  it('reads .env.local from a parent directory, setting by setting', () => {
    const { cwd } = project('# written by npm start\nexport DAYTONA_API_KEY="file-key"\nDAYTONA_API_URL=http://file:1/api/\n');
    expect(resolveConfig({}, {}, cwd)).toMatchObject({ apiKey: 'file-key', apiUrl: 'http://file:1/api' });
    expect(resolveConfig({ apiKey: 'arg-key' }, {}, cwd)).toMatchObject({ apiKey: 'arg-key', apiUrl: 'http://file:1/api' });
    expect(resolveConfig({}, { DAYTONA_API_URL: 'http://env:2/api' }, cwd)).toMatchObject({
      apiKey: 'file-key',
      apiUrl: 'http://env:2/api',
    });
  });

  it('treats empty variables as unset and defaults the URL to the local API', () => {
    const { cwd } = project('DAYTONA_API_KEY=file-key\n');
    expect(resolveConfig({ apiUrl: '' }, { DAYTONA_API_KEY: '', DAYTONA_API_URL: ' ' }, cwd)).toEqual({
      apiKey: 'file-key',
      apiUrl: DEFAULT_API_URL,
      requestTimeout: 60,
      maxRetries: 3,
    });
  });

  it('without a key anywhere, says how to get one', () => {
    const { cwd } = project('SOMETHING_ELSE=1\n');
    const attempt = () => resolveConfig({}, {}, cwd);
    expect(attempt).toThrow(DaytonaError);
    expect(attempt).toThrow(/npm start/);
    expect(attempt).toThrow(/\.env\.local/);
    expect(attempt).toThrow(/DAYTONA_API_KEY/);
  });

  it('rejects a URL that is not http(s), a timeout that is not positive and a retry count that is not a whole number', () => {
    expect(() => resolveConfig({ apiKey: 'k', apiUrl: 'localhost:3000/api' }, {}, tmpdir())).toThrow(/http\(s\) URL/);
    expect(() => resolveConfig({ apiKey: 'k', requestTimeout: 0 }, {}, tmpdir())).toThrow(/requestTimeout/);
    expect(() => resolveConfig({ apiKey: 'k', maxRetries: -1 }, {}, tmpdir())).toThrow(/maxRetries/);
    expect(() => resolveConfig({ apiKey: 'k', maxRetries: 1.5 }, {}, tmpdir())).toThrow(/maxRetries/);
    expect(resolveConfig({ apiKey: 'k', maxRetries: 0 }, {}, tmpdir()).maxRetries).toBe(0);
  });

  it('parses the .env.local format npm start writes, and common variations', () => {
    expect(parseEnvFile("A=1\n# comment\nexport B='two words'\nC = 3 # trailing\n\r\nnot a line\nD=\n")).toEqual({
      A: '1',
      B: 'two words',
      C: '3',
      D: '',
    });
  });
});

describe('new Daytona() without arguments', () => {
  const saved = { cwd: process.cwd(), key: process.env.DAYTONA_API_KEY, url: process.env.DAYTONA_API_URL };
  let stub: StubApi;
  let root: string;

  beforeEach(async () => {
    stub = await new StubApi().start();
    stub.on('GET', '/sandbox', { body: { items: [], total: 0, page: 1, limit: 100, totalPages: 0, nextCursor: null } });
    delete process.env.DAYTONA_API_KEY;
    delete process.env.DAYTONA_API_URL;
  });
  afterEach(async () => {
    process.chdir(saved.cwd);
    restore('DAYTONA_API_KEY', saved.key);
    restore('DAYTONA_API_URL', saved.url);
    await stub.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('calls the API named in .env.local with its key, as after `npm start`', async () => {
    const made = projectWithEnvFile(`DAYTONA_API_URL=${stub.url}\nDAYTONA_API_KEY=key-from-file\n`);
    root = made.root;
    process.chdir(made.cwd);
    await new Daytona().list();
    expect(stub.requests[0].headers.authorization).toBe('Bearer key-from-file');
  });

  it('lets DAYTONA_API_KEY override the key in .env.local', async () => {
    const made = projectWithEnvFile(`DAYTONA_API_URL=${stub.url}\nDAYTONA_API_KEY=key-from-file\n`);
    root = made.root;
    process.chdir(made.cwd);
    process.env.DAYTONA_API_KEY = 'key-from-env';
    await new Daytona().list();
    expect(stub.requests[0].headers.authorization).toBe('Bearer key-from-env');
  });
});

function restore(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
