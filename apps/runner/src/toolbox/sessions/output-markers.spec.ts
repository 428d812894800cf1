import { OutputMarkerSplitter, sessionMarkers, type MarkedOutput } from './output-markers.js';

const TOKEN = 'abc123';
const { start, end } = sessionMarkers(TOKEN);
const endWith = (code: number) => `${sessionMarkers(TOKEN).prefix}E${code}\n`;

function split(chunks: string[]): Array<MarkedOutput | { kind: 'data'; text: string }> {
  const splitter = new OutputMarkerSplitter(TOKEN);
  const events = chunks.flatMap((chunk) => splitter.push(Buffer.from(chunk)));
  // Adjacent data joined: chunk boundaries are not the point.
  const joined: Array<MarkedOutput | { kind: 'data'; text: string }> = [];
  for (const event of events) {
    const last = joined[joined.length - 1];
    if (event.kind === 'data' && last?.kind === 'data' && 'text' in last) last.text += event.data.toString();
    else joined.push(event.kind === 'data' ? { kind: 'data', text: event.data.toString() } : event);
  }
  return joined;
}

describe('OutputMarkerSplitter', () => {
  it('finds start and end markers with the exit status, output without a final newline kept as it is', () => {
    expect(split([`${start}hello${endWith(3)}`])).toEqual([{ kind: 'start' }, { kind: 'data', text: 'hello' }, { kind: 'end', exitCode: 3 }]);
    expect(split([`${start}${end}`])).toEqual([{ kind: 'start' }, { kind: 'end', exitCode: null }]);
  });

  it('finds markers split across chunks anywhere, byte by byte included', () => {
    const stream = `between${start}out\nput${endWith(0)}after`;
    const expected = [{ kind: 'data', text: 'between' }, { kind: 'start' }, { kind: 'data', text: 'out\nput' }, { kind: 'end', exitCode: 0 }, { kind: 'data', text: 'after' }];
    expect(split([...stream])).toEqual(expected);
    for (let at = 1; at < stream.length; at++) expect(split([stream.slice(0, at), stream.slice(at)])).toEqual(expected);
  });

  it("takes output that only looks like a marker, or another session's marker, for output", () => {
    const other = sessionMarkers('other').start;
    expect(split([`\u001fDAYTONA-${TOKEN}-X\n`, other, '\u001f'])).toEqual([{ kind: 'data', text: `\u001fDAYTONA-${TOKEN}-X\n${other}` }]);
  });
});
