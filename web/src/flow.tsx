// State carried between the screens of one task: the permission change being
// prepared (kept when going back from 確認). What must survive a reload or a
// new tab travels in the URL instead: a receipt's number (完了 screens), and
// the receipt whose lines a mail screen starts with (R9: ?from=NUMBER, see
// hooks/usePreselection.ts).
import { createContext, type ReactNode, useContext, useMemo, useState } from "react";
import type { PermissionChangeInput, PreviewPermissionChangeMutation } from "./gql/graphql.ts";

export interface LineChoice {
  id: string;
  phoneNumber: string;
  name: string;
  groupName: string | null;
  backup: boolean;
  phonebookMigration: boolean;
}

export interface GroupChoice {
  id: string;
  name: string;
  memberCount: number;
  /**
   * The target for all members (R6); null until the administrator chooses ON
   * or OFF (確認画面へ asks for it, so no group is turned OFF by default).
   */
  backup: boolean | null;
  phonebookMigration: boolean | null;
}

export interface MailLine {
  id: string;
  phoneNumber: string;
  name: string;
  groupName: string | null;
}

/** What a mail screen keeps of a line it lists or that was just allowed. */
export function mailLine(line: {
  id: string;
  phoneNumber: string;
  name: string;
  group?: { name: string } | null;
}): MailLine {
  return { id: line.id, phoneNumber: line.phoneNumber, name: line.name, groupName: line.group?.name ?? null };
}

/** The server's preview of a draft: the expanded lines, their versions and R14's cautions. */
export type PermissionPreview = PreviewPermissionChangeMutation["previewPermissionChange"];

export interface PermissionDraft {
  source: "lines" | "groups";
  lines: Map<string, LineChoice>;
  groups: Map<string, GroupChoice>;
  idempotencyKey: string;
  /** What 確認画面へ was answered: 確認 shows it and sends what it saw (R18). */
  preview: PermissionPreview;
}

interface Flow {
  draft: PermissionDraft | null;
  setDraft(draft: PermissionDraft | null): void;
}

const FlowContext = createContext<Flow | null>(null);

export function FlowProvider({ children }: { children: ReactNode }) {
  const [draft, setDraft] = useState<PermissionDraft | null>(null);
  const flow = useMemo(() => ({ draft, setDraft }), [draft]);
  return <FlowContext.Provider value={flow}>{children}</FlowContext.Provider>;
}

export function useFlow(): Flow {
  const flow = useContext(FlowContext);
  if (!flow) throw new Error("useFlow outside FlowProvider");
  return flow;
}

/**
 * What 確認 saw (R18): the version of every line it listed and its
 * previewToken (which also holds each selected group's members). Sent at 決定,
 * so a line another administrator changed in between is refused (CONFLICT)
 * instead of silently overwritten.
 */
export interface SeenAtConfirm {
  versions: ReadonlyMap<string, number>;
  previewToken: string | null;
}

/** The versions and token of a preview's answer. */
export function seenAtConfirm(preview: {
  previewToken?: string | null;
  lines: readonly { version: number; line: { id: string } }[];
}): SeenAtConfirm {
  return {
    versions: new Map(preview.lines.map((target) => [target.line.id, target.version])),
    previewToken: preview.previewToken ?? null,
  };
}

/**
 * What the server is asked for a draft: each line's targets, or each group's
 * (R6); at 決定 also what 確認 saw.
 */
export function permissionInput(
  draft: Pick<PermissionDraft, "source" | "lines" | "groups">,
  seen?: SeenAtConfirm,
): PermissionChangeInput {
  const token = seen?.previewToken ? { previewToken: seen.previewToken } : {};
  return draft.source === "lines"
    ? {
        lines: [...draft.lines.values()].map(({ id, backup, phonebookMigration }) => ({
          lineId: id,
          backup,
          phonebookMigration,
          version: seen?.versions.get(id),
        })),
        ...token,
      }
    : {
        groups: [...draft.groups.values()].map(({ id, name, backup, phonebookMigration }) => {
          // The groups screen asks for both before it asks the server (R6: no silent OFF).
          if (backup === null || phonebookMigration === null) throw new Error(`no target chosen for ${name}`);
          return { groupId: id, backup, phonebookMigration };
        }),
        ...token,
      };
}
