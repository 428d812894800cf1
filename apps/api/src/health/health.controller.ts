import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiSchema, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth-metadata.js';
import { UnavailableError } from '../common/errors/domain-error.js';

@ApiSchema({ name: 'Health' })
export class HealthDto {
  @ApiProperty({ example: 'ok' })
  status: 'ok';
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get()
  @Public()
  @ApiOperation({ summary: 'Liveness and database reachability', operationId: 'getHealth' })
  @ApiOkResponse({ type: HealthDto })
  async getHealth(): Promise<HealthDto> {
    await this.dataSource.query('SELECT 1').catch(() => {
      throw new UnavailableError('database_unavailable', 'The database is not reachable');
    });
    return { status: 'ok' };
  }
}
