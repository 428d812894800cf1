import type { IncomingMessage } from 'node:http';

// Matched as Express matches routes: case-insensitive, an optional trailing slash, before the query.
const UPLOAD_ROUTES = /^\/api\/toolbox\/[^/]+\/files\/(upload|bulk-upload)\/?(\?|$)/i;

/**
 * Uploads read their multipart body themselves, as a stream: the JSON-only rule for bodies
 * (415 for anything else) does not apply to them.
 */
export function isStreamedUpload(request: IncomingMessage): boolean {
  return request.method === 'POST' && UPLOAD_ROUTES.test(request.url ?? '');
}
