import type { Response } from 'express';

/** A signal that aborts when the client goes away before the response is complete. */
export function abortedOnClose(response: Response): AbortSignal {
  const closed = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) closed.abort();
  });
  return closed.signal;
}
