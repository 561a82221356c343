// Lines chosen on a list screen, kept across pages (and across 確認 and
// back). Selecting past 200 lines is refused with R3's message at once.
import { useCallback, useState } from "react";
import { userErrorMessages } from "../texts.ts";

export const MAX_LINES = 200;

export function useSelection<T extends { id: string }>(initial: Map<string, T> = new Map()) {
  const [selected, setSelected] = useState<Map<string, T>>(initial);
  const [error, setError] = useState<string | null>(null);

  const toggle = useCallback((row: T, on: boolean) => {
    setSelected((current) => {
      const next = new Map(current);
      if (!on) {
        next.delete(row.id);
        setError(null);
        return next;
      }
      if (next.size >= MAX_LINES && !next.has(row.id)) {
        setError(userErrorMessages.TOO_MANY_LINES);
        return current;
      }
      next.set(row.id, current.get(row.id) ?? row);
      setError(null);
      return next;
    });
  }, []);

  const selectPage = useCallback((rows: T[]) => {
    setSelected((current) => {
      const next = new Map(current);
      for (const row of rows) {
        if (next.has(row.id)) continue;
        if (next.size >= MAX_LINES) {
          setError(userErrorMessages.TOO_MANY_LINES);
          return next;
        }
        next.set(row.id, row);
      }
      setError(null);
      return next;
    });
  }, []);

  const deselectPage = useCallback((rows: { id: string }[]) => {
    setSelected((current) => {
      const next = new Map(current);
      for (const row of rows) next.delete(row.id);
      return next;
    });
    setError(null);
  }, []);

  const update = useCallback((id: string, change: Partial<T>) => {
    setSelected((current) => {
      const row = current.get(id);
      if (!row) return current;
      return new Map(current).set(id, { ...row, ...change });
    });
  }, []);

  return { selected, toggle, selectPage, deselectPage, update, error };
}
