// Numbered pages over keyset-paginated lists: how far one request may skip.
// The API and the web client's pager (web/src/hooks/pagePlan.ts) share it.

/**
 * The most rows `lines(offset:)` skips. Skipped rows are still read by the
 * database, so a request's cost grows with its offset; bounded, no request
 * costs more than reading this many index entries, and a page farther away is
 * reached in hops of this size from the nearest known cursor.
 */
export const MAX_LINES_OFFSET = 10_000;
