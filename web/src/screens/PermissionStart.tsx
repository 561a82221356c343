import { useQuery } from "urql";
import { Link } from "wouter";
import { Page, Steps } from "../components/Layout.tsx";
import { graphql } from "../gql/index.ts";
import { commonTexts, permissionTexts, userErrorMessages } from "../texts.ts";

const AcceptanceWindowQuery = graphql(`
  query AcceptanceWindow {
    acceptanceWindow { open opensAt closesAt }
  }
`);

export function PermissionStart() {
  const [{ data }] = useQuery({ query: AcceptanceWindowQuery });
  return (
    <Page title={permissionTexts.title}>
      <Steps current={1} />
      <aside className="caution" aria-labelledby="caution-title">
        <h2 id="caution-title">{permissionTexts.cautionTitle}</h2>
        <ul>
          {permissionTexts.cautions.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
        {data && !data.acceptanceWindow.open && (
          <p className="warning" role="status">
            {userErrorMessages.OUTSIDE_ACCEPTANCE_HOURS}
          </p>
        )}
      </aside>
      <p className="lead">{permissionTexts.startLead}</p>
      <div className="choices">
        <Link href="/permissions/lines" className="choice">
          <strong>{permissionTexts.byLines}</strong>
          <span>{permissionTexts.byLinesHelp}</span>
        </Link>
        <Link href="/permissions/groups" className="choice">
          <strong>{permissionTexts.byGroups}</strong>
          <span>{permissionTexts.byGroupsHelp}</span>
        </Link>
      </div>
      <div className="actions">
        <Link href="/" className="button">
          {commonTexts.back}
        </Link>
      </div>
    </Page>
  );
}
