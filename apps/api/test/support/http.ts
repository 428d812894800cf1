export interface HttpResult<T = any> {
  status: number;
  body: T;
}

/** A small JSON client for tests: real HTTP against the listening API. */
export function apiClient(baseUrl: string, apiKey?: string) {
  async function call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
  return {
    request: call,
    get: <T = any>(path: string) => call<T>('GET', path),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('POST', path, body, headers),
    delete: <T = any>(path: string) => call<T>('DELETE', path),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

/** Every error body has this shape, whatever went wrong. */
export function expectErrorBody(result: HttpResult, status: number, code: string): void {
  expect(result.status).toBe(status);
  expect(result.body).toEqual(
    expect.objectContaining({ statusCode: status, code, message: expect.any(String) }),
  );
  expect(Object.keys(result.body).every((k) => ['statusCode', 'code', 'message', 'details'].includes(k))).toBe(true);
}
