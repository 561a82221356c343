// 確認画面へ from either selection screen: the server previews the draft
// (R3, R5); its errors stay on the screen, a clean draft opens 確認 with this
// preview (確認 shows it and sends what it saw at 決定, R18).
import { useMutation } from "urql";
import { useLocation } from "wouter";
import { type PermissionDraft, permissionInput, useFlow } from "../flow.tsx";
import { newIdempotencyKey } from "../format.ts";
import { graphql } from "../gql/index.ts";
import { commonTexts } from "../texts.ts";

const PreviewMutation = graphql(`
  mutation PreviewPermissionChange($input: PermissionChangeInput!) {
    previewPermissionChange(input: $input) {
      totalCount
      previewToken
      userErrors { code message lineIds }
      warnings { code message lineIds }
      lines {
        backup phonebookMigration sharedPhonebookWarning version
        line { id phoneNumber name group { id name } }
      }
    }
  }
`);

export function useToConfirm() {
  const flow = useFlow();
  const [, navigate] = useLocation();
  const [state, runPreview] = useMutation(PreviewMutation);

  /** Opens 確認 for a draft the server accepts; resolves to the messages to show otherwise. */
  async function toConfirm(draft: Omit<PermissionDraft, "idempotencyKey" | "preview">): Promise<string[]> {
    const result = await runPreview({ input: permissionInput(draft) });
    const preview = result.data?.previewPermissionChange;
    if (!preview) return [commonTexts.networkError];
    if (preview.userErrors.length > 0) return preview.userErrors.map((e) => e.message);
    flow.setDraft({ ...draft, idempotencyKey: newIdempotencyKey(), preview });
    navigate("/permissions/confirm");
    return [];
  }

  return { toConfirm, previewing: state.fetching };
}
