// The contract describes itself (issue 18): every type, field, argument,
// input field and enum value of the schema has a description, and connection
// edge types follow one naming rule. Built-in scalars and introspection types
// are not ours; Pothos-generated types (connections, edges, PageInfo, Node)
// are, and get theirs from the relay options in schema/builder.ts.
import {
  type GraphQLNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
} from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "../../schema/index.ts";

function ours(): GraphQLNamedType[] {
  return Object.values(schema.getTypeMap())
    .filter((type) => !isIntrospectionType(type) && !isSpecifiedScalarType(type))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const described = (text: string | null | undefined) => typeof text === "string" && text.trim() !== "";

/** Every schema coordinate (Type, Type.field, Type.field(arg:), Enum.VALUE) without a description. */
function undescribed(): string[] {
  const missing: string[] = [];
  for (const type of ours()) {
    if (!described(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!described(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args) {
          if (!described(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name}:)`);
        }
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!described(field.description)) missing.push(`${type.name}.${field.name}`);
      }
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) {
        if (!described(value.description)) missing.push(`${type.name}.${value.name}`);
      }
    }
  }
  return missing;
}

describe("the schema's descriptions", () => {
  it("cover every type, field, argument, input field and enum value (100 %)", () => {
    // The list names what lacks one: add `description` where it is defined.
    expect(undescribed()).toEqual([]);
  });

  it("are English with the screen's Japanese term, not Japanese alone", () => {
    // A description that is only Japanese tells an integrator nothing: each
    // one has at least one Latin word.
    const japaneseOnly: string[] = [];
    for (const type of ours()) {
      const texts: [string, string | null | undefined][] = [[type.name, type.description]];
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          texts.push([`${type.name}.${field.name}`, field.description]);
          if ("args" in field) {
            for (const arg of field.args)
              texts.push([`${type.name}.${field.name}(${arg.name}:)`, arg.description]);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) texts.push([`${type.name}.${value.name}`, value.description]);
      }
      for (const [coordinate, text] of texts) {
        if (described(text) && !/[A-Za-z]{2,}/.test(text ?? "")) japaneseOnly.push(coordinate);
      }
    }
    expect(japaneseOnly).toEqual([]);
  });
});

describe("connection type names", () => {
  it("name every edge type after its connection: <Connection>Edge", () => {
    const misnamed: string[] = [];
    for (const type of ours()) {
      if (!isObjectType(type) || !type.name.endsWith("Connection")) continue;
      const edges = type.getFields().edges;
      if (!edges) continue;
      const edgeType = edges.type.toString().replace(/[[\]!]/g, "");
      if (edgeType !== `${type.name}Edge`) misnamed.push(`${type.name}.edges: ${edgeType}`);
    }
    expect(misnamed).toEqual([]);
  });
});
