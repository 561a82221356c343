// 確認画面へ from either selection screen: the server previews the draft
// (R3, R5); its errors stay on the screen (with the lines they name), a clean
// draft opens 確認 with this preview (確認 shows it, each line's settings
// before and after, and sends what it saw at 決定, R18).
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
        line { id phoneNumber name backup phonebookMigration group { id name } }
      }
    }
  }
`);

export function useToConfirm() {
  const flow = useFlow();
  const [, navigate] = useLocation();
  const [state, runPreview] = useMutation(PreviewMutation);

  /** Opens 確認 for a draft the server accepts; resolves to the errors to show otherwise. */
  async function toConfirm(
    draft: Omit<PermissionDraft, "idempotencyKey" | "preview">,
  ): Promise<{ message: string; lineIds: readonly string[] }[]> {
    const result = await runPreview({ input: permissionInput(draft) });
    const preview = result.data?.previewPermissionChange;
    if (!preview) {
      const message = result.error?.graphQLErrors[0]?.message ?? commonTexts.networkError;
      return [{ message, lineIds: [] }];
    }
    if (preview.userErrors.length > 0) return preview.userErrors;
    flow.setDraft({ ...draft, idempotencyKey: newIdempotencyKey(), preview });
    navigate("/permissions/confirm");
    return [];
  }

  return { toConfirm, previewing: state.fetching };
}
