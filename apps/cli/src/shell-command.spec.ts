import { execFileSync } from 'node:child_process';
import { shellCommand } from './shell-command.js';

/** What /bin/sh prints for the command line, as the sandbox's shell would run it. */
function run(words: string[]): string {
  return execFileSync('/bin/sh', ['-c', shellCommand(words)], { encoding: 'utf8' });
}

it('one word is a shell script, run as it is', () => {
  expect(shellCommand(['echo a | tr a b'])).toBe('echo a | tr a b');
  expect(run(['echo a | tr a b'])).toBe('b\n');
});

it('several words reach the program as the same words, whatever they contain', () => {
  const words = ['printf', '[%s]\\n', 'a b', "it's", '$HOME', '', '*', 'x;y'];
  expect(run(words)).toBe("[a b]\n[it's]\n[$HOME]\n[]\n[*]\n[x;y]\n");
});

it('leaves plain words unquoted, so the command reads as typed', () => {
  expect(shellCommand(['printenv', 'EVAL_RUN'])).toBe('printenv EVAL_RUN');
});
