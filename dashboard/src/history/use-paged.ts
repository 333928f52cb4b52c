/** A list read page by page through its `nextCursor`: the first page at once, the next on demand. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type ApiClient } from '../api/client.js';
import type { ListPage } from '../api/types.js';

export interface Paged<T> {
  items: T[];
  /** True once the last page is in. */
  complete: boolean;
  loading: boolean;
  error: string | null;
  more(): void;
}

/** `path(cursor)` is the request for the page after `cursor` (null: the first). */
export function usePaged<T>(api: ApiClient, path: (cursor: string | null) => string, networkError: string): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [complete, setComplete] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const alive = useRef(true);
  const pathRef = useRef(path);
  pathRef.current = path;

  const load = useCallback(
    async (after: string | null) => {
      setLoading(true);
      setError(null);
      try {
        const page = await api.get<ListPage<T>>(pathRef.current(after));
        if (!alive.current) return;
        setItems((old) => (after ? [...old, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setComplete(page.nextCursor === null);
      } catch (err) {
        if (alive.current) setError(err instanceof ApiError && err.status !== 0 ? err.message : networkError);
      } finally {
        if (alive.current) setLoading(false);
      }
    },
    [api, networkError],
  );

  useEffect(() => {
    alive.current = true;
    void load(null);
    return () => {
      alive.current = false;
    };
  }, [load]);

  return { items, complete, loading, error, more: () => void (cursor && !loading ? load(cursor) : undefined) };
}
