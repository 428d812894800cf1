import type { Request, Response } from 'express';

export const NDJSON = 'application/x-ndjson';

/** Whether the client prefers NDJSON to JSON (Accept: application/x-ndjson); `*\/*` means JSON. */
export function prefersNdjson(request: Request): boolean {
  return request.accepts(['application/json', NDJSON]) === NDJSON;
}

/**
 * One JSON value per line, each written as it comes. Headers go out with the first line, so an
 * error raised before it still gets the usual JSON error body; lines for a client that is gone
 * are dropped.
 */
export class NdjsonResponse {
  constructor(private readonly response: Response) {}

  write(value: unknown): void {
    if (this.response.destroyed || this.response.writableEnded) return;
    if (!this.response.headersSent) {
      this.response.status(200);
      this.response.setHeader('content-type', `${NDJSON}; charset=utf-8`);
      this.response.setHeader('cache-control', 'no-store');
      // Proxies such as nginx would otherwise hold the lines back.
      this.response.setHeader('x-accel-buffering', 'no');
    }
    this.response.write(JSON.stringify(value) + '\n');
  }

  end(value: unknown): void {
    this.write(value);
    if (!this.response.destroyed && !this.response.writableEnded) this.response.end();
  }
}
