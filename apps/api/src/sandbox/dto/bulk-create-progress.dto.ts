import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { SandboxState } from '../entities/sandbox-state.js';
import { SandboxDto } from './sandbox.dto.js';

export enum BulkCreateProgressType {
  STATE = 'state',
  RESULT = 'result',
}

/**
 * One line of POST /sandbox/bulk's NDJSON answer. `state` lines come first: each sandbox's state
 * when the wait begins, then every change as it happens; the last line is the `result`, with every
 * sandbox as the JSON answer would list them.
 */
@ApiSchema({
  name: 'BulkCreateProgress',
  description:
    'One line of the NDJSON answer of POST /sandbox/bulk (Accept: application/x-ndjson). type "state": one ' +
    'sandbox (id, name) entered `state`: its state when the wait begins, then every change as it happens. ' +
    'type "result": the last line, `sandboxes` as the JSON answer would list them.',
})
export class BulkCreateProgressDto {
  @ApiProperty({ enum: BulkCreateProgressType, enumName: 'BulkCreateProgressType' })
  type: BulkCreateProgressType;

  @ApiPropertyOptional({ format: 'uuid', description: 'type "state": the sandbox' })
  id?: string;

  @ApiPropertyOptional({ example: 'batch-a-00001', description: 'type "state": the sandbox' })
  name?: string;

  @ApiPropertyOptional({ enum: SandboxState, enumName: 'SandboxState', description: 'type "state": the state it entered' })
  state?: SandboxState;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'type "state": why the sandbox is in error' })
  errorReason?: string | null;

  @ApiPropertyOptional({ type: [SandboxDto], description: 'type "result": every sandbox, in item order, then name order' })
  sandboxes?: SandboxDto[];
}
