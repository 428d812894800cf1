// What commands print: data on stdout (a table or, with --json, JSON), progress and errors on
// stderr, so `--json` output stays parseable whatever else is shown.

/** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printLine(text: string): void {
  process.stdout.write(text + '\n');
}

/** A note for the person at the terminal (stderr): never part of the data. */
export function printNote(text: string): void {
  process.stderr.write(text + '\n');
}

/** `key=value, key=value`, in the order given. */
export function formatPairs(record: Record<string, string>): string {
  return Object.entries(record)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
}

/** Seconds with one decimal: `2.4s`. */
export function formatSeconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)}s`;
}
