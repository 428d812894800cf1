import { Injectable } from '@nestjs/common';
import { codeRunRequest, executeCommandResponse, MAX_EXEC_TIMEOUT_SECONDS, type CodeLanguage } from '@daytona/runner-contract';
import { InvalidInputError } from '../../common/errors/domain-error.js';
import { RunnerClient } from '../../runner/runner-client.js';
import { CODE_LANGUAGE_LABEL, type CodeRunDto, type CodeRunResponseDto } from '../dto/code-run.dto.js';
import type { ExecuteCommandDto, ExecuteCommandResponseDto } from '../dto/execute-command.dto.js';
import { RunnerToolboxClient } from './runner-toolbox-client.js';
import { ToolboxTargets } from './toolbox-target.js';

const DEFAULT_TIMEOUT_SECONDS = 300;
/** Room beyond the command's own timeout for the runner to kill it and answer. */
const RESPONSE_MARGIN_MS = 15_000;
const LANGUAGES: readonly string[] = codeRunRequest.shape.language.options;

/** Commands and code runs in a sandbox, each to its end (or its timeout). */
@Injectable()
export class ToolboxProcessService {
  constructor(
    private readonly targets: ToolboxTargets,
    private readonly runnerClient: RunnerClient,
    private readonly toolbox: RunnerToolboxClient,
  ) {}

  async executeCommand(organizationId: string, sandboxIdOrName: string, dto: ExecuteCommandDto): Promise<ExecuteCommandResponseDto> {
    if (dto.env && dto.envs) throw new InvalidInputError('validation_failed', 'Give envs or env (its earlier name), not both', { field: 'env' });
    const target = await this.targets.resolve(organizationId, sandboxIdOrName);
    const timeout = timeoutSeconds(dto.timeout);
    try {
      const { exitCode, result } = await this.runnerClient.executeCommand(
        target.runner,
        target.sandbox.id,
        { command: dto.command, cwd: dto.cwd, env: dto.envs ?? dto.env, timeout },
        timeout * 1000 + RESPONSE_MARGIN_MS,
      );
      return { exitCode, result };
    } finally {
      this.targets.ended(target);
    }
  }

  async codeRun(organizationId: string, sandboxIdOrName: string, dto: CodeRunDto): Promise<CodeRunResponseDto> {
    const target = await this.targets.resolve(organizationId, sandboxIdOrName);
    const language = dto.language ?? labelledLanguage(target.sandbox.labels);
    const timeout = timeoutSeconds(dto.timeout);
    try {
      const { exitCode, result } = await this.toolbox.json(target, 'POST', 'code-run', executeCommandResponse, {
        body: { code: dto.code, language, argv: dto.argv, env: dto.envs, timeout },
        timeoutMs: timeout * 1000 + RESPONSE_MARGIN_MS,
      });
      return { exitCode, result };
    } finally {
      this.targets.ended(target);
    }
  }
}

function timeoutSeconds(requested: number | undefined): number {
  if (requested === undefined) return DEFAULT_TIMEOUT_SECONDS;
  return requested === 0 ? MAX_EXEC_TIMEOUT_SECONDS : requested;
}

/** The sandbox's `code-toolbox-language` label (as the official SDKs set it), else python. */
function labelledLanguage(labels: Record<string, string>): CodeLanguage {
  const label = labels[CODE_LANGUAGE_LABEL];
  if (label === undefined) return 'python';
  if (!LANGUAGES.includes(label)) {
    throw new InvalidInputError('validation_failed', `The sandbox's ${CODE_LANGUAGE_LABEL} label is "${label}"; give language (${LANGUAGES.join(', ')})`, { field: 'language' });
  }
  return label as CodeLanguage;
}
