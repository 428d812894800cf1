import busboy from 'busboy';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  DaytonaAuthorizationError,
  DaytonaConnectionError,
  DaytonaNotFoundError,
  DaytonaTimeoutError,
  DaytonaValidationError,
} from './errors.js';
import type { RecordedRequest } from './testing/stub-api.js';
import { errorBody, sandboxDto, useStubApi } from './testing/stub-api.js';

/** The parts the SDK sent, decoded by busboy (what the API itself parses uploads with). */
async function sentParts(request: RecordedRequest): Promise<Array<{ name: string; filename?: string; content: string }>> {
  const parts: Array<{ name: string; filename?: string; content: string }> = [];
  await new Promise<void>((resolve, reject) => {
    const parser = busboy({ headers: request.headers });
    parser.on('field', (name, value) => parts.push({ name, content: value }));
    parser.on('file', (name, stream, info) => {
      const part = { name, filename: info.filename, content: '' };
      parts.push(part);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => (part.content = Buffer.concat(chunks).toString('utf8')));
    });
    parser.on('close', resolve);
    parser.on('error', reject);
    parser.end(request.raw);
  });
  return parts;
}

/** A bulk-download answer as the API writes it. */
function multipartAnswer(parts: Array<{ name: 'file' | 'error'; path: string; body: string | Buffer }>) {
  const boundary = 'daytona-test-boundary';
  const chunks = parts.flatMap(({ name, path, body }) => [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${path}"\r\n\r\n`),
    Buffer.from(body),
    Buffer.from('\r\n'),
  ]);
  return { body: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('sandbox.fs', () => {
  const api = useStubApi();
  const dto = sandboxDto({ name: 'files-00001', state: 'started' });
  const base = `/toolbox/${dto.id}`;
  let local: string;
  beforeEach(async () => {
    api.stub.on('GET', `/sandbox/${dto.name}`, { body: dto });
    local = await mkdtemp(join(tmpdir(), 'sdk-fs-'));
  });
  afterEach(() => rm(local, { recursive: true, force: true }));
  const sandbox = () => api.daytona.get(dto.name);

  describe('uploads', () => {
    it('uploadFile sends a Buffer as one bulk-upload entry: the path, then the file', async () => {
      api.stub.on('POST', `${base}/files/bulk-upload`, { body: { files: [{ path: 'app/main.py', size: 12 }] } });
      await (await sandbox()).fs.uploadFile(Buffer.from('print("hi")\n'), 'app/main.py');

      const [request] = api.stub.requestsTo('POST', `${base}/files/bulk-upload`);
      expect(request.headers.authorization).toBe('Bearer test-key');
      expect(await sentParts(request)).toEqual([
        { name: 'files[0].path', content: 'app/main.py' },
        { name: 'files[0].file', filename: 'main.py', content: 'print("hi")\n' },
      ]);
      expect(request.headers['content-length']).toBe(String(request.raw.length));
    });

    it('uploadFile streams a local path (its length known) and a Readable (chunked)', async () => {
      api.stub.on('POST', `${base}/files/bulk-upload`, { body: { files: [] } });
      const path = join(local, 'data.bin');
      await writeFile(path, 'x'.repeat(300_000));
      const fs = (await sandbox()).fs;
      await fs.uploadFile(path, 'data/data.bin');
      await fs.uploadFile(Readable.from([Buffer.from('streamed '), Buffer.from('content')]), 'data/s.txt');

      const [fromPath, fromStream] = api.stub.requestsTo('POST', `${base}/files/bulk-upload`);
      expect((await sentParts(fromPath))[1]).toEqual({ name: 'files[0].file', filename: 'data.bin', content: 'x'.repeat(300_000) });
      expect(fromPath.headers['content-length']).toBe(String(fromPath.raw.length));
      expect((await sentParts(fromStream))[1].content).toBe('streamed content');
      expect(fromStream.headers['transfer-encoding']).toBe('chunked');
    });

    it('uploadFiles sends every entry in order', async () => {
      api.stub.on('POST', `${base}/files/bulk-upload`, { body: { files: [] } });
      await (await sandbox()).fs.uploadFiles([
        { source: Buffer.from('a'), destination: 'in/a.txt' },
        { source: Buffer.from('b'), destination: '/tmp/b.txt' },
      ]);
      const parts = await sentParts(api.stub.requestsTo('POST', `${base}/files/bulk-upload`)[0]);
      expect(parts.map((part) => [part.name, part.content])).toEqual([
        ['files[0].path', 'in/a.txt'],
        ['files[0].file', 'a'],
        ['files[1].path', '/tmp/b.txt'],
        ['files[1].file', 'b'],
      ]);
    });

    it('a file past the limit is DaytonaValidationError file_too_large, and an upload is not retried', async () => {
      api.stub.on('POST', `${base}/files/bulk-upload`, { status: 413, body: errorBody(413, 'file_too_large', 'past 1 GiB') });
      const attempt = (await sandbox()).fs.uploadFile(Buffer.from('big'), 'big.bin');
      await expect(attempt).rejects.toMatchObject({ constructor: DaytonaValidationError, statusCode: 413, code: 'file_too_large' });

      api.stub.on('POST', `${base}/files/bulk-upload`, { status: 503, body: errorBody(503, 'runner_unavailable', 'busy') });
      await expect((await sandbox()).fs.uploadFile(Buffer.from('x'), 'x')).rejects.toMatchObject({ code: 'runner_unavailable' });
      expect(api.stub.requestsTo('POST', `${base}/files/bulk-upload`)).toHaveLength(2);
    });
  });

  describe('downloads', () => {
    it('downloadFile answers a Buffer, or streams to a local path', async () => {
      api.stub.on('GET', `${base}/files/download`, { body: Buffer.from('file content') });
      const fs = (await sandbox()).fs;
      expect((await fs.downloadFile('notes/todo.txt')).toString()).toBe('file content');
      const target = join(local, 'todo.txt');
      expect(await fs.downloadFile('notes/todo.txt', target)).toBeUndefined();
      expect(await readFile(target, 'utf8')).toBe('file content');
      expect(api.stub.requestsTo('GET', `${base}/files/download`)[0].url).toBe(`/api${base}/files/download?path=notes%2Ftodo.txt`);
    });

    it('a missing file is DaytonaNotFoundError file_not_found, read from the streamed error body', async () => {
      api.stub.on('GET', `${base}/files/download`, { status: 404, body: errorBody(404, 'file_not_found', 'No such file: nope.txt') });
      const attempt = (await sandbox()).fs.downloadFile('nope.txt');
      await expect(attempt).rejects.toMatchObject({ constructor: DaytonaNotFoundError, code: 'file_not_found', message: 'No such file: nope.txt' });
    });

    it('a path the sandbox user may not read is DaytonaAuthorizationError file_permission_denied', async () => {
      api.stub.on('GET', `${base}/files/download`, { status: 403, body: errorBody(403, 'file_permission_denied', 'Permission denied: /etc/shadow') });
      await expect((await sandbox()).fs.downloadFile('../../etc/shadow', join(local, 'shadow'))).rejects.toMatchObject({
        constructor: DaytonaAuthorizationError,
        code: 'file_permission_denied',
      });
    });

    it('an answer cut off midway is DaytonaConnectionError, one that never ends DaytonaTimeoutError', async () => {
      api.stub.on('GET', `${base}/files/download`, { body: Buffer.alloc(200_000, 1), cut: true });
      const fs = (await sandbox()).fs;
      await expect(fs.downloadFile('big.bin', join(local, 'big.bin'))).rejects.toBeInstanceOf(DaytonaConnectionError);
      api.stub.on('GET', `${base}/files/download`, { hang: true });
      const started = Date.now();
      await expect(fs.downloadFile('big.bin', 0.5)).rejects.toBeInstanceOf(DaytonaTimeoutError);
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('downloadFiles answers per path, in order: content, a local file, or the server’s error', async () => {
      api.stub.on('POST', `${base}/files/bulk-download`, {
        status: 200,
        ...multipartAnswer([
          { name: 'file', path: 'a.txt', body: 'alpha' },
          { name: 'error', path: 'missing.txt', body: JSON.stringify(errorBody(404, 'file_not_found', 'No such file: missing.txt')) },
          { name: 'file', path: 'b.bin', body: Buffer.alloc(100_000, 7) },
        ]),
      });
      const target = join(local, 'b.bin');
      const answers = await (await sandbox()).fs.downloadFiles([{ source: 'a.txt' }, { source: 'missing.txt' }, { source: 'b.bin', destination: target }]);

      expect(api.stub.requestsTo('POST', `${base}/files/bulk-download`)[0].body).toEqual({ paths: ['a.txt', 'missing.txt', 'b.bin'] });
      expect(answers[0]).toEqual({ source: 'a.txt', result: Buffer.from('alpha') });
      expect(answers[1]).toEqual({
        source: 'missing.txt',
        error: 'No such file: missing.txt',
        errorDetails: { message: 'No such file: missing.txt', statusCode: 404, code: 'file_not_found' },
      });
      expect(answers[2]).toEqual({ source: 'b.bin', result: target });
      expect(await readFile(target)).toEqual(Buffer.alloc(100_000, 7));
    });

    it('a bulk download with fewer parts than paths is an error, not a silent gap', async () => {
      api.stub.on('POST', `${base}/files/bulk-download`, multipartAnswer([{ name: 'file', path: 'a.txt', body: 'alpha' }]));
      await expect((await sandbox()).fs.downloadFiles([{ source: 'a.txt' }, { source: 'b.txt' }])).rejects.toThrow(/1 parts for 2 paths/);
    });
  });

  describe('the other file operations', () => {
    it('list, details, delete, create folder and move call their routes with the paths as query parameters', async () => {
      const info = { name: 'a.txt', path: '/home/daytona/a.txt', isDir: false, size: 1, mode: '-rw-r--r--', permissions: '0644', owner: 'daytona', group: 'daytona', modTime: '2026-01-01T00:00:00Z', modifiedAt: '2026-01-01T00:00:00Z' };
      api.stub.on('GET', `${base}/files`, { body: [info] });
      api.stub.on('GET', `${base}/files/info`, { body: info });
      api.stub.on('DELETE', `${base}/files`, { status: 204 });
      api.stub.on('POST', `${base}/files/folder`, { status: 204 });
      api.stub.on('POST', `${base}/files/move`, { status: 204 });
      const fs = (await sandbox()).fs;

      expect(await fs.listFiles('.')).toEqual([info]);
      expect(await fs.getFileDetails('a.txt')).toEqual(info);
      await fs.deleteFile('build', true);
      await fs.createFolder('work/out', '755');
      await fs.moveFiles('a.txt', 'b/a.txt');

      expect(api.stub.requests.slice(1).map((request) => `${request.method} ${request.url}`)).toEqual([
        `GET /api${base}/files?path=.`,
        `GET /api${base}/files/info?path=a.txt`,
        `DELETE /api${base}/files?path=build&recursive=true`,
        `POST /api${base}/files/folder?path=work%2Fout&mode=755`,
        `POST /api${base}/files/move?source=a.txt&destination=b%2Fa.txt`,
      ]);
    });

    it('the server’s codes come back on the typed errors', async () => {
      api.stub.on('GET', `${base}/files/info`, { status: 404, body: errorBody(404, 'file_not_found', 'No such file: x') });
      api.stub.on('DELETE', `${base}/files`, { status: 409, body: errorBody(409, 'directory_not_empty', 'not empty') });
      const fs = (await sandbox()).fs;
      await expect(fs.getFileDetails('x')).rejects.toMatchObject({ constructor: DaytonaNotFoundError, code: 'file_not_found' });
      await expect(fs.deleteFile('dir')).rejects.toMatchObject({ statusCode: 409, code: 'directory_not_empty' });
    });
  });
});
