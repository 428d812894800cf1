import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'ErrorResponse' })
export class ErrorResponseDto {
  @ApiProperty({ type: 'integer', example: 400 })
  statusCode: number;

  @ApiProperty({ description: 'Stable snake_case error code', example: 'validation_failed' })
  code: string;

  @ApiProperty()
  message: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'Specifics of the error. Validation errors: `field`, the first offending field (a path parameter, a query key ' +
      'or a dotted body path such as `items.0.count`), and `violations`, up to 100 of `{ field, constraints }`.',
  })
  details?: Record<string, unknown>;
}
