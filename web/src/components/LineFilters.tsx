// 検索 / クリア over the line list: free text (number, name, kana,
// affiliation, group; the server reads it as people type it: domain/search.ts),
// a group, the contract status and the device kind (機種).
import { type FormEvent, useState } from "react";
import { useQuery } from "urql";
import { MAX_SEARCH_LENGTH } from "../../../domain/search.ts";
import type { DeviceKind, LineFilter } from "../gql/graphql.ts";
import { graphql } from "../gql/index.ts";
import { commonTexts, findTexts, statusTexts } from "../texts.ts";

const GroupOptionsQuery = graphql(`
  query GroupOptions {
    groups(first: 100) {
      edges { node { id name } }
      pageInfo { hasNextPage endCursor startCursor hasPreviousPage }
    }
  }
`);

const UNGROUPED = "__ungrouped";

export function LineFilters({ onChange }: { onChange: (filter: LineFilter) => void }) {
  const [{ data }] = useQuery({ query: GroupOptionsQuery });
  const [search, setSearch] = useState("");
  const [group, setGroup] = useState("");
  const [contract, setContract] = useState<"" | "ACTIVE" | "CANCELLED">("");
  const [device, setDevice] = useState<DeviceKind | "">("");

  function apply(event?: FormEvent) {
    event?.preventDefault();
    onChange({
      ...(search.trim() ? { search: search.trim() } : {}),
      ...(group === UNGROUPED ? { ungrouped: true } : group ? { groupId: group } : {}),
      ...(contract ? { contractStatus: contract } : {}),
      ...(device ? { deviceKinds: [device] } : {}),
    });
  }

  return (
    <form className="filters" onSubmit={apply}>
      <label>
        <span className="visually-hidden">{commonTexts.group}</span>
        <select value={group} onChange={(e) => setGroup(e.target.value)} aria-label={commonTexts.group}>
          <option value="">{commonTexts.unspecified}</option>
          {data?.groups.edges.map(({ node }) => (
            <option key={node.id} value={node.id}>
              {node.name}
            </option>
          ))}
          <option value={UNGROUPED}>グループなし</option>
        </select>
      </label>
      <select
        value={contract}
        onChange={(e) => setContract(e.target.value as "" | "ACTIVE" | "CANCELLED")}
        aria-label="契約状態"
      >
        <option value="">契約状態: {commonTexts.unspecified}</option>
        <option value="ACTIVE">{statusTexts.contract.ACTIVE}</option>
        <option value="CANCELLED">{statusTexts.contract.CANCELLED}</option>
      </select>
      <DeviceKindSelect value={device} onChange={setDevice} />
      <label>
        <span className="visually-hidden">{commonTexts.search}</span>
        <input
          type="search"
          maxLength={MAX_SEARCH_LENGTH}
          value={search}
          placeholder="電話番号・氏名・所属名"
          aria-label="電話番号・氏名・所属名で検索"
          onChange={(e) => setSearch(e.target.value)}
        />
      </label>
      <button type="submit">{commonTexts.search}</button>
      <button
        type="button"
        onClick={() => {
          setSearch("");
          setGroup("");
          setContract("");
          setDevice("");
          onChange({});
        }}
      >
        {commonTexts.clear}
      </button>
    </form>
  );
}

/** 機種: 指定なし or one device kind, by the manual's names. */
export function DeviceKindSelect({
  value,
  onChange,
}: {
  value: DeviceKind | "";
  onChange: (kind: DeviceKind | "") => void;
}) {
  return (
    <select
      value={value}
      onChange={(e) => onChange(e.target.value as DeviceKind | "")}
      aria-label={findTexts.device}
    >
      <option value="">
        {findTexts.device}: {commonTexts.unspecified}
      </option>
      {(Object.keys(findTexts.devices) as DeviceKind[]).map((kind) => (
        <option key={kind} value={kind}>
          {findTexts.devices[kind]}
        </option>
      ))}
    </select>
  );
}
