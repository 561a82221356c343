// Line (回線) and its enums. Root fields that list lines come with the read API.
import { ContractStatus, DeviceKind, LineStatus } from "../prisma/generated/client/enums.ts";
import { builder } from "./builder.ts";

export const DeviceKindEnum = builder.enumType(DeviceKind, { name: "DeviceKind" });
export const ContractStatusEnum = builder.enumType(ContractStatus, { name: "ContractStatus" });
export const LineStatusEnum = builder.enumType(LineStatus, { name: "LineStatus" });

builder.prismaObject("Line", {
  fields: (t) => ({
    id: t.exposeID("id"),
    phoneNumber: t.exposeString("phoneNumber"),
    name: t.exposeString("name"),
    nameKana: t.exposeString("nameKana"),
    affiliation: t.exposeString("affiliation"),
    group: t.relation("group", { nullable: true }),
    deviceKind: t.expose("deviceKind", { type: DeviceKindEnum }),
    contractStatus: t.expose("contractStatus", { type: ContractStatusEnum }),
    contractedOn: t.expose("contractedOn", { type: "Date" }),
    status: t.expose("status", { type: LineStatusEnum }),
    backup: t.exposeBoolean("backup"),
    phonebookMigration: t.exposeBoolean("phonebookMigration"),
    lastAppDownloadMailAt: t.expose("lastAppDownloadMailAt", { type: "DateTime", nullable: true }),
    appPreinstalled: t.exposeBoolean("appPreinstalled"),
    sharedPhonebook: t.exposeBoolean("sharedPhonebook"),
    upgradedFrom3gOn: t.expose("upgradedFrom3gOn", { type: "Date", nullable: true }),
    version: t.exposeInt("version"),
  }),
});
