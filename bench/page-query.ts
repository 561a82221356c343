// The page as the permission screen of the web client asks for it, with or
// without totalCount (which costs its own count over the account's lines):
// what bench/run.ts measures and bench/page-profile.ts profiles.
export const pageQuery = (withCount: boolean) => /* GraphQL */ `
  query PermissionLines($first: Int, $after: String, $filter: LineFilter) {
    lines(first: $first, after: $after, filter: $filter) {
      ${withCount ? "totalCount" : ""}
      pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
      edges {
        cursor
        node {
          id phoneNumber name status contractStatus backup phonebookMigration version
          group { id name }
        }
      }
    }
  }`;

/** The first 50 lines (or those after `after`), as a request body. */
export const pageBody = (after: string | null, withCount = false) =>
  JSON.stringify({ query: pageQuery(withCount), variables: { first: 50, after } });
