// Documents the mail screens share: the lines they choose from, what a mail
// request answers (first sends and 履歴詳細's resends alike) and the password
// inquiry (パスワード照会／通知 and a password notice's 履歴詳細).
import { graphql } from "../gql/index.ts";

export const MailLinesQuery = graphql(`
  query MailLines(
    $first: Int, $after: String, $last: Int, $before: String, $offset: Int, $filter: LineFilter, $orderBy: LineOrder
  ) {
    lines(first: $first, after: $after, last: $last, before: $before, offset: $offset, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
      edges {
        cursor
        node {
          id phoneNumber name nameKana affiliation status contractStatus deviceKind lastAppDownloadMailAt
          group { id name }
        }
      }
    }
  }
`);

export const MailRequestFields = graphql(`
  fragment MailRequestFields on MailRequestPayload {
    receipt { id number status progress { total pending processing succeeded failed } }
    skipped { code reason line { id phoneNumber name } }
    userErrors { code message lineIds }
  }
`);

export const InquirePasswords = graphql(`
  mutation InquirePasswords($input: InquirePasswordsInput!) {
    inquirePasswords(input: $input) {
      passwords { password line { id } }
      userErrors { code message }
    }
  }
`);
