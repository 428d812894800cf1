import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { runTool } from '../../src/images/run-tool.js';

const SERVER = fileURLToPath(new URL('./test-host-server.mjs', import.meta.url));
export const TEST_HOST_PORT = 8080;
/** Where clouds serve instance metadata: the test puts a server there to show the block stops it. */
export const METADATA_ADDRESS = '169.254.169.254';

/**
 * "The internet" on this machine: a network namespace joined to the host by a veth pair, routed
 * from the host, with HTTP servers on addresses that are in no private range (198.18.0.0/15, the
 * benchmarking range), one in a private range (100.64.0.0/10) and one at the metadata address,
 * and a DNS server. Every address, route, device and namespace it makes goes with stop().
 */
export interface TestInternet {
  /** Public addresses, each with an HTTP server on TEST_HOST_PORT; the first also serves DNS. */
  publicHosts: [string, string];
  /** An HTTP server in a private range (shared address space). */
  privateHost: string;
  /** The host's own address on the veth: a sandbox must not reach the host through it either. */
  hostAddress: string;
  stop(): Promise<void>;
}

const ip = (args: string[]) => runTool('ip', args, { deadline: Date.now() + 10_000, deadlineReason: `ip ${args.join(' ')} hung` });

export async function startTestInternet(): Promise<TestInternet> {
  const tag = `${process.pid % 10000}${randomInt(100)}`;
  const namespace = `dt-net-${tag}`;
  const [hostSide, testSide] = [`dth${tag}`, `dtt${tag}`];
  // A /24 of the benchmarking range and of the shared range per run, so parallel runs do not meet.
  const [octet2, octet3] = [18 + randomInt(2), randomInt(256)];
  const net = `198.${octet2}.${octet3}`;
  const shared = `100.127.${octet3}`;
  const internet: TestInternet = {
    publicHosts: [`${net}.1`, `${net}.2`],
    privateHost: `${shared}.1`,
    hostAddress: `${net}.254`,
    stop: async () => {
      server?.stdin?.end();
      server?.kill('SIGKILL');
      // Deleting the namespace deletes its end of the veth, and so the pair and the routes over it.
      await ip(['netns', 'del', namespace]).catch(() => undefined);
      await ip(['link', 'del', hostSide]).catch(() => undefined);
    },
  };
  let server: ChildProcess | undefined;
  try {
    await ip(['netns', 'add', namespace]);
    await ip(['link', 'add', hostSide, 'type', 'veth', 'peer', 'name', testSide]);
    await ip(['link', 'set', testSide, 'netns', namespace]);
    await ip(['addr', 'add', `${internet.hostAddress}/24`, 'dev', hostSide]);
    await ip(['link', 'set', hostSide, 'up']);
    for (const address of [...internet.publicHosts.map((host) => `${host}/24`), `${internet.privateHost}/24`, `${METADATA_ADDRESS}/32`]) {
      await ip(['-n', namespace, 'addr', 'add', address, 'dev', testSide]);
    }
    await ip(['-n', namespace, 'link', 'set', testSide, 'up']);
    await ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
    await ip(['-n', namespace, 'route', 'add', 'default', 'via', internet.hostAddress]);
    await ip(['route', 'add', `${shared}.0/24`, 'dev', hostSide]);
    // replace: a run killed before it cleaned up may have left one (over a device that is gone by now).
    await ip(['route', 'replace', `${METADATA_ADDRESS}/32`, 'dev', hostSide]);
    server = spawn(
      'ip',
      ['netns', 'exec', namespace, process.execPath, SERVER, String(TEST_HOST_PORT), ...internet.publicHosts, internet.privateHost, METADATA_ADDRESS],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      server!.stdout!.once('data', () => resolve());
      server!.once('exit', (code) => reject(new Error(`the test host's servers ended with ${code}`)));
    });
    return internet;
  } catch (error) {
    await internet.stop();
    throw error;
  }
}
