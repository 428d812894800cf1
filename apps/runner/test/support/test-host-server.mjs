// Runs inside a test network namespace (ip netns exec): an HTTP server on each address given,
// answering its own address, and a DNS server on the first one that answers A queries for
// `internet.test` with that address. Prints "ready" once everything listens; ends with its stdin.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';

const [port, ...addresses] = process.argv.slice(2);
const listening = addresses.map(
  (address) =>
    new Promise((resolve) => createServer((_, response) => response.end(`hello from ${address}\n`)).listen(Number(port), address, resolve)),
);

const dns = createSocket('udp4');
dns.on('message', (query, peer) => {
  // Header (12 bytes), then the question: labels up to a zero byte, type and class (4 bytes).
  let end = 12;
  const labels = [];
  while (query[end] !== 0 && end < query.length) {
    labels.push(query.subarray(end + 1, end + 1 + query[end]).toString('latin1'));
    end += query[end] + 1;
  }
  const question = query.subarray(12, end + 5);
  const known = labels.join('.').toLowerCase() === 'internet.test' && query.readUInt16BE(end + 1) === 1;
  const header = Buffer.from(query.subarray(0, 12));
  header.writeUInt16BE(known ? 0x8180 : 0x8183, 2); // a response; NXDOMAIN when unknown
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(known ? 1 : 0, 6);
  header.writeUInt32BE(0, 8);
  const answer = known
    ? Buffer.concat([Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]), Buffer.from(addresses[0].split('.').map(Number))])
    : Buffer.alloc(0);
  dns.send(Buffer.concat([header, question, answer]), peer.port, peer.address);
});
listening.push(new Promise((resolve) => dns.bind(53, addresses[0], resolve)));

await Promise.all(listening);
process.stdout.write('ready\n');
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
