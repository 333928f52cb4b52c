/**
 * The REST client: same-origin JSON with the session cookie. Writes carry the session's CSRF
 * token and an idempotency key, so a double click or a retried request has one effect.
 */
import type { ApiErrorBody } from './types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request body field the server named as at fault (`minStake`, `accrual.amount`), when it did. */
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

export interface ApiClient {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown, options?: { idempotencyKey?: string }): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  delete<T>(path: string): Promise<T>;
  setCsrf(token: string | null): void;
}

const newKey = () => (typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);

export function createApiClient(base = '/api/v1'): ApiClient {
  let csrf: string | null = null;

  async function request<T>(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET') {
      if (csrf) headers['x-csrf-token'] = csrf;
      headers['idempotency-key'] = idempotencyKey ?? newKey();
    }
    let response: Response;
    try {
      response = await fetch(base + path, {
        method,
        headers,
        credentials: 'same-origin',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'network');
    }
    if (response.status === 204) return undefined as T;
    const data: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const error = (data as ApiErrorBody | null)?.error;
      throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? response.statusText, error?.field ?? null);
    }
    return data as T;
  }

  return {
    get: (path) => request('GET', path),
    post: (path, body, options) => request('POST', path, body, options?.idempotencyKey),
    patch: (path, body) => request('PATCH', path, body),
    delete: (path) => request('DELETE', path),
    setCsrf(token) {
      csrf = token;
    },
  };
}

export const channelPath = (channel: string) => `/channels/${encodeURIComponent(channel)}`;
