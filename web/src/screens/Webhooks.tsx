// Webhook (MAIN administrators): the account's webhook endpoints, read-only
// (registering and changing them is the API's: createWebhookEndpoint …):
// where each sends, which events, whether it is sending, failing or stopped
// and why, and when it last delivered.
import { useQuery } from "urql";
import { Link } from "wouter";
import { Page } from "../components/Layout.tsx";
import { Loading, RequestError } from "../components/Messages.tsx";
import { TableRegion } from "../components/TableRegion.tsx";
import { formatDateTime } from "../format.ts";
import { graphql } from "../gql/index.ts";
import { commonTexts, webhookTexts } from "../texts.ts";

const WebhookEndpointsQuery = graphql(`
  query WebhookEndpoints {
    webhookEndpoints(first: 200) {
      edges {
        node {
          id url eventTypes disabledAt disabledReason failingSince lastSuccessAt
          group { id name }
        }
      }
    }
  }
`);

export function Webhooks() {
  const [{ data, fetching, error }] = useQuery({
    query: WebhookEndpointsQuery,
    requestPolicy: "cache-and-network",
  });
  const endpoints = data?.webhookEndpoints.edges.map((e) => e.node) ?? [];
  return (
    <Page title={webhookTexts.title} lead={webhookTexts.lead}>
      <RequestError error={error} />
      {fetching && !data ? (
        <Loading />
      ) : endpoints.length === 0 ? (
        !error && <p className="empty">{webhookTexts.empty}</p>
      ) : (
        <>
          <div className="selection-bar">
            <output className="counter">{webhookTexts.count(endpoints.length)}</output>
          </div>
          <TableRegion label={webhookTexts.title}>
            <table aria-label={webhookTexts.title}>
              <thead>
                <tr>
                  <th scope="col">{webhookTexts.url}</th>
                  <th scope="col">{webhookTexts.eventTypes}</th>
                  <th scope="col">{webhookTexts.group}</th>
                  <th scope="col">{webhookTexts.status}</th>
                  <th scope="col">{webhookTexts.disabledReason}</th>
                  <th scope="col">{webhookTexts.failingSince}</th>
                  <th scope="col">{webhookTexts.lastSuccess}</th>
                </tr>
              </thead>
              <tbody>
                {endpoints.map((endpoint) => {
                  const status = endpoint.disabledAt
                    ? "DISABLED"
                    : endpoint.failingSince
                      ? "FAILING"
                      : "ACTIVE";
                  return (
                    <tr key={endpoint.id}>
                      <td className="url-cell">{endpoint.url}</td>
                      <td>
                        {endpoint.eventTypes.map((type) => webhookTexts.eventTypeNames[type]).join("、")}
                      </td>
                      <td>{endpoint.group?.name ?? webhookTexts.allGroups}</td>
                      <td data-status={status}>{webhookTexts.statuses[status]}</td>
                      <td>
                        {endpoint.disabledReason
                          ? (webhookTexts.reasons[endpoint.disabledReason] ?? endpoint.disabledReason)
                          : webhookTexts.none}
                      </td>
                      <td>
                        {endpoint.failingSince
                          ? webhookTexts.failingFrom(formatDateTime(endpoint.failingSince))
                          : webhookTexts.none}
                      </td>
                      <td>
                        {endpoint.lastSuccessAt ? formatDateTime(endpoint.lastSuccessAt) : webhookTexts.none}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableRegion>
        </>
      )}
      <div className="actions">
        <Link href="/" className="button">
          {commonTexts.back}
        </Link>
      </div>
    </Page>
  );
}
