import type { IncomingMessage } from 'node:http';

// Matched as Express matches routes: case-insensitive, an optional trailing slash, before the query.
const UPLOAD_ROUTES = /^\/api\/toolbox\/[^/]+\/files\/(upload|bulk-upload)\/?(\?|$)/i;

/**
 * Uploads read their multipart body themselves, as a stream: instead of the JSON-only rule for
 * bodies, theirs must be multipart/form-data (415 for anything else).
 */
export function isStreamedUpload(request: IncomingMessage): boolean {
  return request.method === 'POST' && UPLOAD_ROUTES.test(request.url ?? '');
}
