// The lines a mail screen opens with, already selected (R9, manual §5): after
// a permission change, the lines it allowed; after an app-download mail, the
// lines it mailed. They are read from the receipt named in the URL
// (?from=NUMBER), so a reload or the same link in another tab starts with
// them too. The items' own snapshots name the lines (a line's nested fields
// for 200 items would pass the query-cost limit).
import { useQuery } from "urql";
import { useSearch } from "wouter";
import type { MailLine } from "../flow.tsx";
import { graphql } from "../gql/index.ts";

const PreselectionQuery = graphql(`
  query Preselection($number: String!) {
    receipt(number: $number) {
      id kind
      items(first: 200) {
        edges { node { id backup phonebookMigration phoneNumber name groupName line { id } } }
      }
    }
  }
`);

export function usePreselection(): { loading: boolean; lines: Map<string, MailLine> } {
  const from = new URLSearchParams(useSearch()).get("from");
  const [{ data, error }] = useQuery({
    query: PreselectionQuery,
    variables: { number: from ?? "" },
    pause: !from,
  });
  if (!from) return { loading: false, lines: new Map() };
  if (!data && !error) return { loading: true, lines: new Map() };
  const receipt = data?.receipt;
  const lines = new Map<string, MailLine>();
  for (const { node } of receipt?.items.edges ?? []) {
    // A permission change's allowed lines (either feature ON); a mail's every line.
    const allowed = receipt?.kind !== "PERMISSION_CHANGE" || node.backup || node.phonebookMigration;
    if (node.line && allowed) {
      const line = {
        id: node.line.id,
        phoneNumber: node.phoneNumber,
        name: node.name,
        groupName: node.groupName ?? null,
      };
      lines.set(line.id, line);
    }
  }
  return { loading: false, lines };
}
