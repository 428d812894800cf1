/** Words a POSIX shell reads back as themselves without quotes. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * The command line `sh -c` runs for `exec`'s words: one word is a shell script as it is
 * (`'ls | wc -l'`); several are each quoted, so `exec s -- printf '%s\n' "a b"` prints `a b`.
 */
export function shellCommand(words: string[]): string {
  if (words.length === 1) return words[0];
  return words.map((word) => (PLAIN_WORD.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`)).join(' ');
}
