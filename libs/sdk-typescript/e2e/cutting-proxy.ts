// A TCP proxy between the SDK and a real API that drops the connection of the first answer to a
// chosen request after the API has sent all of it (so the request was processed), having passed
// on only half. Everything else goes through untouched. It records every request it forwards.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ForwardedRequest {
  /** e.g. `POST /api/sandbox/bulk` */
  target: string;
  idempotencyKey?: string;
}

export class CuttingProxy {
  readonly requests: ForwardedRequest[] = [];
  /** How many answers the proxy cut off (at most one). */
  cuts = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly upstreamUrl: URL,
  ) {}

  /** Proxies to `apiUrl`; the first request whose `METHOD /path` equals `cutTarget` loses its answer. */
  static async start(apiUrl: string, cutTarget: string): Promise<CuttingProxy> {
    const upstream = new URL(apiUrl);
    const server = createServer();
    const proxy = new CuttingProxy(server, upstream);
    server.on('connection', (client) => proxy.relay(client, cutTarget));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** The API URL to give the SDK: the upstream's path on the proxy's port. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${this.upstreamUrl.pathname}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, cutTarget: string): void {
    const upstream = connect(Number(this.upstreamUrl.port), this.upstreamUrl.hostname);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());

    let cutThisConnection = false;
    const requests = new MessageReader('request', (head) => {
      const [method, path] = head.split('\r\n', 1)[0].split(' ');
      const target = `${method} ${path}`;
      this.requests.push({ target, idempotencyKey: header(head, 'idempotency-key') });
      if (target === cutTarget && this.cuts === 0 && !cutThisConnection) cutThisConnection = true;
    });
    client.on('data', (chunk: Buffer) => {
      requests.push(chunk);
      upstream.write(chunk);
    });

    let held = Buffer.alloc(0);
    const answers = new MessageReader('response', () => undefined, () => {
      if (!cutThisConnection || this.cuts > 0) return;
      // The whole answer is here, so the API has done the work: pass on half of it and hang up.
      this.cuts++;
      client.write(held.subarray(0, Math.floor(held.length / 2)), () => client.destroy());
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!cutThisConnection) return void client.write(chunk);
      held = Buffer.concat([held, chunk]);
      answers.push(chunk);
    });
  }
}

/** Splits an HTTP/1.1 byte stream into messages (Content-Length or chunked bodies). */
class MessageReader {
  private buffer = Buffer.alloc(0);
  private head?: string;

  constructor(
    private readonly kind: 'request' | 'response',
    private readonly onHead: (head: string) => void,
    private readonly onComplete: () => void = () => undefined,
  ) {}

  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.head === undefined) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        this.head = this.buffer.subarray(0, end).toString('latin1');
        this.buffer = this.buffer.subarray(end + 4);
        this.onHead(this.head);
      }
      const bodyLength = this.completeBodyLength(this.head);
      if (bodyLength === undefined) return;
      this.buffer = this.buffer.subarray(bodyLength);
      this.head = undefined;
      this.onComplete();
    }
  }

  /** How many buffered bytes the current message's body takes, once all of it is buffered. */
  private completeBodyLength(head: string): number | undefined {
    if (header(head, 'transfer-encoding')?.toLowerCase() === 'chunked') {
      const end = this.buffer.indexOf('0\r\n\r\n');
      return end < 0 ? undefined : end + 5;
    }
    const length = Number(header(head, 'content-length') ?? (this.kind === 'request' ? 0 : NaN));
    if (Number.isNaN(length)) throw new Error(`an answer without Content-Length: ${head.split('\r\n', 1)[0]}`);
    return this.buffer.length >= length ? length : undefined;
  }
}

function header(head: string, name: string): string | undefined {
  const line = head.split('\r\n').find((candidate) => candidate.toLowerCase().startsWith(`${name}:`));
  return line?.slice(name.length + 1).trim();
}
