import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';

/** A new runner credential: 32 random bytes, hex. */
export function newRunnerCredential(): string {
  return randomBytes(32).toString('hex');
}

export function hashRunnerCredential(credential: string): string {
  return createHash('sha256').update(credential).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * The secret the API presents to each runner: HMAC of the runner's id under a control-plane
 * secret kept in the database (made once, shared by every API instance). It is different from the
 * runner's own credential, is stored nowhere, and no runner can work out another's.
 */
@Injectable()
export class RunnerCredentials {
  private secret: Promise<string> | null = null;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async apiTokenFor(runnerId: string): Promise<string> {
    return createHmac('sha256', await this.controlPlaneSecret()).update(runnerId).digest('hex');
  }

  private controlPlaneSecret(): Promise<string> {
    this.secret ??= this.loadSecret().catch((error: unknown) => {
      this.secret = null;
      throw error;
    });
    return this.secret;
  }

  private async loadSecret(): Promise<string> {
    await this.dataSource.query('INSERT INTO control_plane_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [
      randomBytes(32).toString('hex'),
    ]);
    const [row] = await this.dataSource.query('SELECT secret FROM control_plane_secret WHERE id = 1');
    return row.secret;
  }
}
