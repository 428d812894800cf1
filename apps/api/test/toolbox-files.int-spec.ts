import { readFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { OrganizationResourcePermission } from '../src/auth/permissions.js';
import { createApiKey } from './support/factories.js';
import { apiClient, expectErrorBody } from './support/http.js';
import { fetchRaw, multipartAnswerParts, postMultipart, startToolboxStack, type ToolboxStack } from './support/toolbox-stack.js';

const MAX_UPLOAD = 4 * 1024 * 1024;

/** Files of real sandboxes of the default image (user daytona, home /home/daytona), through the API. */
describe('toolbox files', () => {
  let stack: ToolboxStack;
  let sandbox: { id: string; name: string };

  beforeAll(async () => {
    stack = await startToolboxStack({ TOOLBOX_MAX_UPLOAD_BYTES: String(MAX_UPLOAD) });
    sandbox = await stack.createStarted();
  }, 180_000);
  afterAll(() => stack?.close());

  const base = () => `${stack.api.url}/toolbox/${sandbox.id}`;
  const files = (path: string) => `/toolbox/${sandbox.id}/files?path=${encodeURIComponent(path)}`;
  const upload = (path: string, content: Buffer | string, url = base()) =>
    postMultipart(`${url}/files/upload?path=${encodeURIComponent(path)}`, stack.apiKey, [{ name: 'file', filename: path, content: Buffer.from(content) }]);
  const download = (path: string) => fetchRaw(`${base()}/files/download?path=${encodeURIComponent(path)}`, stack.apiKey);
  const exec = (command: string) => stack.client.post(`/toolbox/${sandbox.id}/process/execute`, { command });
  const json = (answer: { body: Buffer }) => JSON.parse(answer.body.toString('utf8'));

  it('uploads, lists, describes and downloads files, relative paths from the home directory', async () => {
    const uploaded = await upload('notes/today.txt', 'hello files\n');
    expect(uploaded.status).toBe(200);
    expect(json(uploaded)).toEqual({ path: 'notes/today.txt', size: 12 });

    const listing = await stack.client.get(files('notes'));
    expect(listing.status).toBe(200);
    expect(listing.body).toEqual([
      {
        name: 'today.txt',
        path: '/home/daytona/notes/today.txt',
        isDir: false,
        size: 12,
        mode: '-rw-r--r--',
        permissions: '0644',
        owner: 'daytona',
        group: 'daytona',
        modTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        modifiedAt: expect.any(String),
      },
    ]);
    const info = await stack.client.get(`/toolbox/${sandbox.id}/files/info?path=/home/daytona/notes`);
    expect(info.body).toMatchObject({ name: 'notes', isDir: true, mode: 'drwxr-xr-x', owner: 'daytona' });

    const downloaded = await download('/home/daytona/notes/today.txt');
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers['content-type']).toBe('application/octet-stream');
    expect(downloaded.headers['content-length']).toBe('12');
    expect(downloaded.body.toString()).toBe('hello files\n');
    // What the sandbox's programs see is the same file.
    expect((await exec('cat notes/today.txt; stat -c %U notes/today.txt')).body.result).toBe('hello files\ndaytona\n');
    expect((await stack.client.get(`/toolbox/${sandbox.id}/user-home-dir`)).body).toEqual({ dir: '/home/daytona' });
    expect((await stack.client.get(`/toolbox/${sandbox.id}/work-dir`)).body).toEqual({ dir: '/home/daytona' });
  });

  it('creates folders, moves and deletes, and says why when it cannot', async () => {
    expect((await stack.client.post(`/toolbox/${sandbox.id}/files/folder?path=a/b/c&mode=0700`)).status).toBe(204);
    expect((await stack.client.get(`/toolbox/${sandbox.id}/files/info?path=a/b/c`)).body).toMatchObject({ isDir: true, permissions: '0700' });
    await upload('a/b/c/file.txt', 'x');
    expect((await stack.client.post(`/toolbox/${sandbox.id}/files/move?source=a/b/c/file.txt&destination=/tmp/moved.txt`)).status).toBe(204);
    expect((await download('/tmp/moved.txt')).body.toString()).toBe('x');
    expect((await exec('ls a/b/c | wc -l')).body.result).toBe('0\n');

    expectErrorBody(await stack.client.delete(files('a')), 409, 'directory_not_empty');
    expect((await stack.client.delete(`${files('a')}&recursive=true`)).status).toBe(204);
    expectErrorBody(await stack.client.get(`/toolbox/${sandbox.id}/files/info?path=a`), 404, 'file_not_found');
    expectErrorBody(await stack.client.delete(files('a')), 404, 'file_not_found');
    expectErrorBody(await download('nope.txt').then((r) => ({ status: r.status, body: json(r) })), 404, 'file_not_found');
    expectErrorBody(await stack.client.get(files('/tmp/moved.txt')), 400, 'not_a_directory');
    expectErrorBody(await download('/tmp').then((r) => ({ status: r.status, body: json(r) })), 400, 'is_a_directory');
    expectErrorBody(await stack.client.post(`/toolbox/${sandbox.id}/files/folder?path=/tmp/moved.txt`), 409, 'file_exists');
    expectErrorBody(await stack.client.post(`/toolbox/${sandbox.id}/files/folder?path=x&mode=999`), 400, 'validation_failed');
    expectErrorBody(await stack.client.post(`/toolbox/${sandbox.id}/files/move?source=nope&destination=x`), 404, 'file_not_found');
    expectErrorBody(await stack.client.get(`/toolbox/${sandbox.id}/files?path=${'n'.repeat(300)}`), 400, 'file_name_too_long');
    expectErrorBody(await stack.client.get(`/toolbox/${sandbox.id}/files`), 400, 'validation_failed');
    expectErrorBody(await stack.client.get(`/toolbox/${sandbox.id}/files?path=a&path=b`), 400, 'validation_failed');
  });

  it("keeps every path inside the sandbox: .. and symlinks resolve in its own filesystem, under its own permissions", async () => {
    // The sandbox's passwd (it has daytona), not the host's.
    const passwd = await download('../../etc/passwd');
    expect(passwd.status).toBe(200);
    expect(passwd.body.toString()).toContain('daytona:x:1000:1000');
    expect(passwd.body.toString()).not.toBe(await readFile('/etc/passwd', 'utf8'));
    // Root's files are root's inside too: daytona may not read shadow, nor write /etc.
    expectErrorBody(await download('../../etc/shadow').then((r) => ({ status: r.status, body: json(r) })), 403, 'file_permission_denied');
    const written = await upload('../../etc/planted', 'x');
    expect({ status: written.status, code: json(written).code }).toEqual({ status: 403, code: 'file_permission_denied' });

    // A symlink to / is the sandbox's /.
    await exec('ln -s / up && ln -s /etc/shadow shadow-link');
    const root = (await stack.client.get(files('up/'))).body.map((entry: { name: string }) => entry.name);
    expect(root).toEqual(expect.arrayContaining(['home', 'etc', 'usr', 'tmp']));
    expect(root).not.toContain('work'); // the host's /work, where this checkout lives
    expect((await download('up/etc/passwd')).body.toString()).toContain('daytona:x:1000:1000');
    expectErrorBody(await download('shadow-link').then((r) => ({ status: r.status, body: json(r) })), 403, 'file_permission_denied');
    const viaLink = await upload('up/etc/planted', 'x');
    expect(json(viaLink).code).toBe('file_permission_denied');
    expect(existsSync('/etc/planted')).toBe(false);

    // What sudo may do, the toolbox may not: it acts as the sandbox's user.
    expect((await exec('sudo -n sh -c "echo planted-by-root > /etc/root-only && chmod 600 /etc/root-only"')).body.exitCode).toBe(0);
    expectErrorBody(await download('/etc/root-only').then((r) => ({ status: r.status, body: json(r) })), 403, 'file_permission_denied');
  });

  it('refuses what the sandbox user may not touch outside the home with 403, and a host path is only ever the sandbox\'s', async () => {
    await upload('mine.txt', 'my file\n');
    const shadow = async () => (await exec('sudo -n sha256sum /etc/shadow /etc/passwd')).body.result;
    const before = await shadow();
    const refused = async (answer: Promise<{ status: number; body: unknown }>) => {
      const { status, body } = await answer;
      return { status, code: (body as { code?: string }).code };
    };
    const denied = { status: 403, code: 'file_permission_denied' };
    const raw = (answer: Promise<{ status: number; body: Buffer }>) => answer.then((r) => ({ status: r.status, body: json(r) }));
    expect(await refused(raw(upload('../../etc/shadow', 'root::0:0:::::')))).toEqual(denied);
    expect(await refused(raw(upload('/etc/passwd', 'root::0:0::/root:/bin/sh')))).toEqual(denied);
    expect(await refused(stack.client.delete(`${files('../../etc/passwd')}&recursive=true`))).toEqual(denied);
    expect(await refused(stack.client.post(`/toolbox/${sandbox.id}/files/move?source=../../etc/passwd&destination=stolen`))).toEqual(denied);
    expect(await refused(stack.client.post(`/toolbox/${sandbox.id}/files/move?source=mine.txt&destination=/etc/mine.txt`))).toEqual(denied);
    expect(await refused(stack.client.post(`/toolbox/${sandbox.id}/files/folder?path=/etc/new`))).toEqual(denied);
    expect(await refused(stack.client.post(`/toolbox/${sandbox.id}/files/folder?path=../../../../root/new`))).toEqual(denied);
    expect(await shadow()).toBe(before);
    expect((await exec('ls -A /etc | grep -c -e "^new$" -e "^mine.txt$"; test -e stolen || echo no-stolen; cat mine.txt')).body.result).toBe('0\nno-stolen\nmy file\n');

    // This checkout's own files, by their host path: not there, the sandbox has its own root.
    const hostFile = `${process.cwd()}/package.json`;
    expect(existsSync(hostFile)).toBe(true);
    expect(await refused(raw(download(hostFile)))).toEqual({ status: 404, code: 'file_not_found' });
    expect(await refused(stack.client.get(`/toolbox/${sandbox.id}/files/info?path=${encodeURIComponent(hostFile)}`))).toEqual({ status: 404, code: 'file_not_found' });
    // The runner's data directory (where sandbox homes live on the host), by its host path: a
    // write lands in the sandbox's own /tmp, never on the host.
    const hostListing = readdirSync(stack.runner.dataDir).sort();
    const planted = `${stack.runner.dataDir}/planted.txt`;
    expect(json(await upload(planted, 'inside'))).toEqual({ path: planted, size: 6 });
    expect(existsSync(planted)).toBe(false);
    expect(readdirSync(stack.runner.dataDir).sort()).toEqual(hostListing);
    expect((await exec(`cat ${planted}`)).body.result).toBe('inside');
  });

  it('uploads and downloads several files in one request, a failed path as an error part', async () => {
    const answer = await postMultipart(`${base()}/files/bulk-upload`, stack.apiKey, [
      { name: 'files[0].path', value: 'bulk/one.txt' },
      { name: 'files[0].file', filename: 'bulk/one.txt', content: Buffer.from('one') },
      { name: 'files[1].path', value: '/tmp/two.bin' },
      { name: 'files[1].file', filename: '/tmp/two.bin', content: Buffer.from([0, 1, 2, 255]) },
    ]);
    expect(answer.status).toBe(200);
    expect(json(answer)).toEqual({ files: [{ path: 'bulk/one.txt', size: 3 }, { path: '/tmp/two.bin', size: 4 }] });

    const bulk = await fetchRaw(`${base()}/files/bulk-download`, stack.apiKey, { method: 'POST', json: { paths: ['bulk/one.txt', 'missing.txt', '/tmp/two.bin'] } });
    expect(bulk.status).toBe(200);
    expect(bulk.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const parts = multipartAnswerParts(bulk);
    expect(parts.map(({ name, filename }) => [name, filename])).toEqual([['file', 'bulk/one.txt'], ['error', 'missing.txt'], ['file', '/tmp/two.bin']]);
    expect(parts[0].body.toString()).toBe('one');
    expect(parts[1].contentType).toBe('application/json');
    expect(JSON.parse(parts[1].body.toString())).toEqual({ message: expect.any(String), statusCode: 404, code: 'file_not_found' });
    expect([...parts[2].body]).toEqual([0, 1, 2, 255]);

    const outOfOrder = await postMultipart(`${base()}/files/bulk-upload`, stack.apiKey, [{ name: 'files[0].file', filename: 'x', content: Buffer.from('x') }]);
    expect({ status: outOfOrder.status, code: json(outOfOrder).code }).toEqual({ status: 400, code: 'validation_failed' });
    expectErrorBody(await stack.client.post(`/toolbox/${sandbox.id}/files/bulk-download`, { paths: [] }), 400, 'validation_failed');
  });

  it('refuses a file past the upload limit with 413, leaving nothing behind and the old file as it was', async () => {
    await upload('big/kept.bin', 'the old content');
    const tooBig = await postMultipart(`${base()}/files/upload?path=big/kept.bin`, stack.apiKey, [
      { name: 'file', filename: 'kept.bin', content: Buffer.alloc(MAX_UPLOAD + 1, 7) },
    ]);
    expect(tooBig.status).toBe(413);
    expect(json(tooBig)).toMatchObject({ statusCode: 413, code: 'file_too_large', details: { maxBytes: MAX_UPLOAD } });
    const fresh = await upload('big/new.bin', Buffer.alloc(MAX_UPLOAD + 1, 7));
    expect(json(fresh).code).toBe('file_too_large');
    expect((await download('big/kept.bin')).body.toString()).toBe('the old content');
    // No temporary file of either upload, hidden or not.
    expect((await exec('ls -A big')).body.result).toBe('kept.bin\n');
    // Exactly the limit is fine.
    expect(json(await upload('big/exact.bin', Buffer.alloc(MAX_UPLOAD, 1)))).toEqual({ path: 'big/exact.bin', size: MAX_UPLOAD });

    // The limit is per file: in a bulk upload the files before the big one are written, it is not.
    const bulk = await postMultipart(`${base()}/files/bulk-upload`, stack.apiKey, [
      { name: 'files[0].path', value: 'bulk-big/small.txt' },
      { name: 'files[0].file', filename: 'small.txt', content: Buffer.from('small') },
      { name: 'files[1].path', value: 'bulk-big/huge.bin' },
      { name: 'files[1].file', filename: 'huge.bin', content: Buffer.alloc(MAX_UPLOAD + 1, 7) },
    ]);
    expect(bulk.status).toBe(413);
    expect(json(bulk)).toMatchObject({ statusCode: 413, code: 'file_too_large', details: { maxBytes: MAX_UPLOAD } });
    expect((await exec('ls -A bulk-big; cat bulk-big/small.txt')).body.result).toBe('small.txt\nsmall');
  });

  it('refuses bodies that are not multipart, and multipart bodies that are not uploads', async () => {
    const plain = await stack.client.post(`/toolbox/${sandbox.id}/files/upload?path=x`, { file: 'x' });
    expectErrorBody(plain, 415, 'unsupported_media_type');
    const wrongPart = await postMultipart(`${base()}/files/upload?path=x`, stack.apiKey, [{ name: 'other', value: 'x' }]);
    expect({ status: wrongPart.status, code: json(wrongPart).code }).toEqual({ status: 400, code: 'validation_failed' });
    const none = await postMultipart(`${base()}/files/upload?path=x`, stack.apiKey, []);
    expect(json(none)).toMatchObject({ code: 'validation_failed', details: { field: 'file' } });
    // Multipart is for uploads only.
    const elsewhere = await postMultipart(`${base()}/process/execute`, stack.apiKey, [{ name: 'command', value: 'id' }]);
    expect({ status: elsewhere.status, code: json(elsewhere).code }).toEqual({ status: 415, code: 'unsupported_media_type' });
  });

  it("answers another organization's sandbox with 404, a key without the permission with 403, a stopped or destroyed sandbox with 409 and 404, nothing changed", async () => {
    expectErrorBody(await stack.other.get(files('.')), 404, 'sandbox_not_found');
    const unknownKey = await postMultipart(`${base()}/files/upload?path=x`, 'not-a-key', [{ name: 'file', filename: 'x', content: Buffer.from('x') }]);
    expect({ status: unknownKey.status, code: json(unknownKey).code }).toEqual({ status: 401, code: 'unauthenticated' });

    const organization = (await stack.client.get(`/sandbox/${sandbox.id}`)).body.organizationId;
    const readOnlyKey = await createApiKey(stack.api.dataSource, organization, [OrganizationResourcePermission.READ_SANDBOXES]);
    const readOnly = apiClient(stack.api.url, readOnlyKey);
    expect((await readOnly.get(files('.'))).status).toBe(200);
    expectErrorBody(await readOnly.delete(files('notes')), 403, 'missing_permission');
    const refused = await postMultipart(`${base()}/files/upload?path=x`, readOnlyKey, [{ name: 'file', filename: 'x', content: Buffer.from('x') }]);
    expect({ status: refused.status, code: json(refused).code }).toEqual({ status: 403, code: 'missing_permission' });

    const doomed = await stack.createStarted();
    await upload('kept.txt', 'kept', `${stack.api.url}/toolbox/${doomed.id}`);
    expect((await stack.client.post(`/sandbox/${doomed.id}/stop`)).status).toBe(200);
    for (let waited = 0; (await stack.client.get(`/sandbox/${doomed.id}`)).body.state !== 'stopped'; waited += 50) {
      if (waited > 30_000) throw new Error('the sandbox did not stop');
      await new Promise((r) => setTimeout(r, 50));
    }
    expectErrorBody(await stack.client.get(`/toolbox/${doomed.id}/files?path=.`), 409, 'sandbox_not_started');
    const whileStopped = await postMultipart(`${stack.api.url}/toolbox/${doomed.id}/files/upload?path=kept.txt`, stack.apiKey, [{ name: 'file', filename: 'x', content: Buffer.from('changed') }]);
    expect({ status: whileStopped.status, code: json(whileStopped).code }).toEqual({ status: 409, code: 'sandbox_not_started' });
    expectErrorBody(await stack.client.post(`/toolbox/${doomed.id}/process/execute`, { command: 'true' }), 409, 'sandbox_not_started');
    expectErrorBody(await stack.client.post(`/toolbox/${doomed.id}/process/session`, { sessionId: 's' }), 409, 'sandbox_not_started');
    expect((await stack.client.post(`/sandbox/${doomed.id}/start`)).status).toBe(200);
    for (let waited = 0; (await stack.client.get(`/sandbox/${doomed.id}`)).body.state !== 'started'; waited += 50) {
      if (waited > 60_000) throw new Error('the sandbox did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await fetchRaw(`${stack.api.url}/toolbox/${doomed.id}/files/download?path=kept.txt`, stack.apiKey)).body.toString()).toBe('kept');
    expect((await stack.client.get(`/toolbox/${doomed.id}/process/session`)).body).toEqual([]);
    expect((await stack.client.delete(`/sandbox/${doomed.id}`)).body.state).toBe('destroyed');
    expectErrorBody(await stack.client.get(`/toolbox/${doomed.id}/files?path=.`), 404, 'sandbox_not_found');
    expectErrorBody(await stack.client.get(`/toolbox/${doomed.id}/user-home-dir`), 404, 'sandbox_not_found');
    const late = await postMultipart(`${stack.api.url}/toolbox/${doomed.id}/files/upload?path=x`, stack.apiKey, [{ name: 'file', filename: 'x', content: Buffer.from('x') }]);
    expect({ status: late.status, code: json(late).code }).toEqual({ status: 404, code: 'sandbox_not_found' });
  });
});
