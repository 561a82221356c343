// Lines chosen on a list screen, kept across pages (and across 確認 and
// back). Selecting past 200 lines is refused with R3's message at once.
// Messages about a selection (the server's answer to it) are kept with it, so
// the change that makes a new selection is the one that clears them.
import { useCallback, useState } from "react";
import { userErrorMessages } from "../texts.ts";

export const MAX_LINES = 200;

interface State<T> {
  selected: Map<string, T>;
  /** R3's limit, refused at selection. */
  limitError: string | null;
  /** What was answered about this selection. */
  errors: readonly string[];
  /** The selected lines those answers named (userErrors' lineIds): their rows are marked. */
  flagged: ReadonlySet<string>;
}

/** An answer about a selection: a message, or a server's userError naming lines. */
export type SelectionError = string | { message: string; lineIds?: readonly string[] | null };

const NONE: ReadonlySet<string> = new Set();

/** A new selection: what was answered about the previous one no longer applies. */
function reselect<T>(selected: Map<string, T>, limitError: string | null): State<T> {
  return { selected, limitError, errors: [], flagged: NONE };
}

export function useSelection<T extends { id: string }>(initial: Map<string, T> = new Map()) {
  const [state, setState] = useState<State<T>>(() => reselect(initial, null));

  const toggle = useCallback((row: T, on: boolean) => {
    setState((current) => {
      const next = new Map(current.selected);
      if (!on) {
        next.delete(row.id);
        return reselect(next, null);
      }
      if (next.size >= MAX_LINES && !next.has(row.id)) {
        return { ...current, limitError: userErrorMessages.TOO_MANY_LINES };
      }
      next.set(row.id, current.selected.get(row.id) ?? row);
      return reselect(next, null);
    });
  }, []);

  const selectPage = useCallback((rows: T[]) => {
    setState((current) => {
      const next = new Map(current.selected);
      for (const row of rows) {
        if (next.has(row.id)) continue;
        if (next.size >= MAX_LINES) return reselect(next, userErrorMessages.TOO_MANY_LINES);
        next.set(row.id, row);
      }
      return reselect(next, null);
    });
  }, []);

  const deselectPage = useCallback((rows: { id: string }[]) => {
    setState((current) => {
      const next = new Map(current.selected);
      for (const row of rows) next.delete(row.id);
      return reselect(next, null);
    });
  }, []);

  const update = useCallback((id: string, change: Partial<T>) => {
    setState((current) => {
      const row = current.selected.get(id);
      if (!row) return current;
      return reselect(new Map(current.selected).set(id, { ...row, ...change }), current.limitError);
    });
  }, []);

  /** Shows messages about the selection as it is now, and marks the selected lines they name. */
  const setErrors = useCallback((errors: readonly SelectionError[]) => {
    setState((current) => ({
      ...current,
      errors: [...new Set(errors.map((e) => (typeof e === "string" ? e : e.message)))],
      flagged: new Set(
        errors
          .flatMap((e) => (typeof e === "string" ? [] : (e.lineIds ?? [])))
          .filter((id) => current.selected.has(id)),
      ),
    }));
  }, []);

  return {
    selected: state.selected,
    toggle,
    selectPage,
    deselectPage,
    update,
    limitError: state.limitError,
    errors: state.errors,
    flagged: state.flagged,
    setErrors,
  };
}
