// The line search (氏名・所属名・電話番号), shared by the API's bound and the web client's input.

/** The longest search a line filter runs: every character costs each ILIKE over every visible line. */
export const MAX_SEARCH_LENGTH = 100;
