// 選択中のみ表示: the selectable list shows only the lines selected (on any
// page) when it is turned on, so a selection made elsewhere (完了 →
// アプリダウンロード依頼's pre-selection) can be seen without paging.
import { findTexts } from "../texts.ts";

export function SelectedOnlyToggle({ on, onChange }: { on: boolean; onChange: (on: boolean) => void }) {
  return (
    <label className="selected-only">
      <input type="checkbox" checked={on} onChange={(e) => onChange(e.target.checked)} />
      {findTexts.selectedOnly}
    </label>
  );
}
