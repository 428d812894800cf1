// One sandbox's life against a live stack: create, find, run commands, delete; and the errors a
// user meets on the way.
import {
  Daytona,
  DaytonaAuthenticationError,
  DaytonaNotFoundError,
  SandboxState,
  type Sandbox,
} from '../src/index.js';
import { deleteLeftovers, liveSandboxesNamed, uniquePrefix } from './e2e-support.js';

const daytona = new Daytona();
const name = uniquePrefix('single');
const labels = { suite: name };
let sandbox: Sandbox;

afterAll(() => deleteLeftovers(daytona, name));

it('create waits until the sandbox is started; get and list find it', async () => {
  sandbox = await daytona.create({ name, labels }, { timeout: 30 });

  expect(sandbox).toMatchObject({ name, state: SandboxState.STARTED, snapshot: 'default', cpu: 1, memory: 1, disk: 1, labels });
  expect((await daytona.get(name)).id).toBe(sandbox.id);
  const listed = await daytona.list({ labels, states: [SandboxState.STARTED] });
  expect(listed.items.map((found) => found.id)).toEqual([sandbox.id]);
  expect(listed.total).toBe(1);
});

it('executeCommand returns exit code and interleaved output, honours cwd, env and timeout, and keeps files', async () => {
  const { process } = sandbox;
  expect(await process.executeCommand('echo out; echo err >&2; exit 3')).toEqual({ exitCode: 3, result: 'out\nerr\n' });
  expect(await process.executeCommand('pwd', '/tmp')).toEqual({ exitCode: 0, result: '/tmp\n' });
  expect(await process.executeCommand('echo "$GREETING"', undefined, { GREETING: 'hi there' })).toEqual({
    exitCode: 0,
    result: 'hi there\n',
  });
  expect(await process.executeCommand('echo kept > note.txt')).toMatchObject({ exitCode: 0 });
  expect(await process.executeCommand('cat note.txt')).toEqual({ exitCode: 0, result: 'kept\n' });
  const killed = await process.executeCommand('sleep 30', undefined, undefined, 1);
  expect(killed.exitCode).toBe(124);
});

it('an unknown sandbox is DaytonaNotFoundError and a wrong key DaytonaAuthenticationError, with the server’s codes', async () => {
  await expect(daytona.get(`${name}-missing`)).rejects.toMatchObject({
    constructor: DaytonaNotFoundError,
    statusCode: 404,
    code: 'sandbox_not_found',
  });
  const stranger = new Daytona({ apiKey: 'dtn_not_a_key', apiUrl: process.env.DAYTONA_API_URL });
  await expect(stranger.list()).rejects.toMatchObject({
    constructor: DaytonaAuthenticationError,
    statusCode: 401,
    code: 'unauthenticated',
  });
});

it('delete destroys the sandbox and it is no longer listed', async () => {
  await daytona.delete(sandbox);

  expect(sandbox.state).toBe(SandboxState.DESTROYED);
  expect((await daytona.list({ labels })).items).toEqual([]);
  expect(await liveSandboxesNamed(daytona, name)).toEqual([]);
});
