import { permissionTexts } from "../texts.ts";

export function PermissionHelp() {
  return (
    <div className="help">
      {permissionTexts.selectLead.map((line) => (
        <p key={line}>{line}</p>
      ))}
      <p>{permissionTexts.backupHelp}</p>
      {permissionTexts.migrationHelp.map((line) => (
        <p key={line}>{line}</p>
      ))}
      <p className="note">{permissionTexts.limitNote}</p>
    </div>
  );
}
