import type { CodeLanguage, CodeRunRequest, ExecuteCommandResponse } from '@daytona/runner-contract';
import { RunnerError } from '../errors/runner-error.js';
import { runCommandProcess } from '../provider/command-process.js';
import type { RunningSandbox } from '../provider/sandbox-provider.js';
import { collectExit } from './helper-process.js';

/**
 * How each language runs, by the first interpreter found on the sandbox's PATH: the code is one
 * argument (`-c` / `-e`), the arguments follow. TypeScript needs tsx or ts-node in the image.
 */
const INTERPRETERS: Record<CodeLanguage, Array<{ program: string; args: string[] }>> = {
  python: [
    { program: 'python3', args: ['-u', '-c'] },
    { program: 'python', args: ['-u', '-c'] },
  ],
  javascript: [{ program: 'node', args: ['-e'] }],
  typescript: [
    { program: 'tsx', args: ['-e'] },
    { program: 'ts-node', args: ['-e'] },
  ],
};

// Prints the first of its arguments found as a command (PATH of the sandbox and the request).
const FIND_INTERPRETER = 'for program in "$@"; do if command -v "$program" >/dev/null 2>&1; then echo "$program"; exit 0; fi; done; exit 1';
const PROBE_TIMEOUT_MS = 30_000;

export interface CodeRunOptions {
  defaultTimeoutSeconds: number;
  outputLimitBytes: number;
}

/**
 * Runs code with the language's interpreter, like a command (same timeout, output limit and
 * process group). An image without the interpreter is 422 interpreter_not_found, not a failed run.
 */
export async function runCode(sandbox: RunningSandbox, request: CodeRunRequest, options: CodeRunOptions): Promise<ExecuteCommandResponse> {
  const env = request.env ?? {};
  const candidates = INTERPRETERS[request.language];
  const probe = sandbox.spawn({ kind: 'script', script: FIND_INTERPRETER, args: candidates.map((c) => c.program), env });
  probe.stdin?.end();
  const timer = setTimeout(() => probe.kill('SIGKILL'), PROBE_TIMEOUT_MS);
  const found = await collectExit(probe, 4096).finally(() => clearTimeout(timer));
  const interpreter = candidates.find((candidate) => candidate.program === found.stdout.toString('utf8').trim());
  if (found.code !== 0 || !interpreter) {
    const names = candidates.map((c) => c.program).join(' or ');
    throw new RunnerError('interpreter_not_found', `The sandbox has no ${names} on its PATH to run ${request.language}; install it in the image or the sandbox`);
  }
  const timeoutMs = (request.timeout ?? options.defaultTimeoutSeconds) * 1000;
  return runCommandProcess({
    spawned: () => sandbox.spawn({
      kind: 'script',
      script: 'exec "$@" 2>&1',
      args: [interpreter.program, ...interpreter.args, request.code, ...(request.argv ?? [])],
      env,
    }),
    timeoutMs,
    outputLimitBytes: options.outputLimitBytes,
  });
}
