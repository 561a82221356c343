// 手動更新 (R8) beside the line lists: lines the carrier added today (new
// contracts, MNP port-ins) are listed only after it. Says what it added, by
// count and line; every line list is read again (client.ts). For MAIN and SUB
// administrators (a GROUP administrator's refresh would cover lines they
// cannot see: the server refuses it, so the button is not offered).
import { useState } from "react";
import { useMutation } from "urql";
import type { RefreshLinesMutation } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { useSession } from "../session.tsx";
import { commonTexts, refreshTexts } from "../texts.ts";

const RefreshLines = graphql(`
  mutation RefreshLines {
    refreshLines {
      added
      updated
      addedLines { id phoneNumber name group { id name } }
      userErrors { code message }
    }
  }
`);

type Answer = RefreshLinesMutation["refreshLines"];

export function RosterRefresh() {
  const { viewer } = useSession();
  const [state, refresh] = useMutation(RefreshLines);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const allowed = viewer?.scopes.includes("CHANGE_PERMISSIONS") && viewer.administrator?.role !== "GROUP";
  if (!allowed) return null;

  async function run() {
    setFailure(null);
    setAnswer(null);
    const result = await refresh({});
    const payload = result.data?.refreshLines;
    if (!payload) return setFailure(result.error?.graphQLErrors[0]?.message ?? commonTexts.networkError);
    if (payload.userErrors.length > 0) return setFailure(payload.userErrors.map((e) => e.message).join(" "));
    setAnswer(payload);
  }

  return (
    <div className="roster-refresh">
      <button type="button" onClick={run} disabled={state.fetching} aria-describedby="roster-refresh-help">
        {refreshTexts.button}
      </button>
      <span id="roster-refresh-help" className="note">
        {refreshTexts.help}
      </span>
      <div role="status" className="roster-refresh-result">
        {failure && <p className="warning">{failure}</p>}
        {answer && (
          <>
            <p>{answer.added > 0 ? refreshTexts.added(answer.added) : refreshTexts.none}</p>
            {answer.updated > 0 && <p className="note">{refreshTexts.updated(answer.updated)}</p>}
            {answer.addedLines.length > 0 && (
              <ul className="added-lines" aria-label={refreshTexts.addedTitle}>
                {answer.addedLines.map((line) => (
                  <li key={line.id}>
                    {line.phoneNumber} {line.name}
                    {line.group ? `（${line.group.name}）` : ""}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </div>
    </div>
  );
}
