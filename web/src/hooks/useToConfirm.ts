// 確認画面へ from either selection screen: the server previews the draft
// (R3, R5); its errors stay on the screen, a clean draft opens 確認.
import { useState } from "react";
import { useMutation } from "urql";
import { useLocation } from "wouter";
import { type PermissionDraft, permissionInput, useFlow } from "../flow.tsx";
import { newIdempotencyKey } from "../format.ts";
import { graphql } from "../gql/index.ts";
import { commonTexts } from "../texts.ts";

export const PreviewMutation = graphql(`
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
  const [errors, setErrors] = useState<string[]>([]);

  async function toConfirm(draft: Omit<PermissionDraft, "idempotencyKey">) {
    const result = await runPreview({ input: permissionInput(draft) });
    const payload = result.data?.previewPermissionChange;
    if (!payload) return setErrors([commonTexts.networkError]);
    if (payload.userErrors.length > 0) return setErrors(payload.userErrors.map((e) => e.message));
    flow.setDraft({ ...draft, idempotencyKey: newIdempotencyKey() });
    navigate("/permissions/confirm");
  }

  return { toConfirm, errors, setErrors, previewing: state.fetching };
}
