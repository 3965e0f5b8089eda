import { readFileSync } from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';

/** A JSON-schema node as a CRD's openAPIV3Schema writes it. */
type SchemaNode = Record<string, unknown>;

const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'] as const;

/**
 * Rewrites a CRD's structural schema into a strict JSON schema: objects with `properties` reject
 * unknown keys unless the CRD preserves unknown fields (the published CRDs accept any misspelled key),
 * `x-kubernetes-int-or-string` becomes integer-or-string, and the other `x-kubernetes-*` markers,
 * which say nothing about validity, are dropped.
 */
export function strictSchema(node: SchemaNode): SchemaNode {
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, SchemaNode>).map(([name, child]) => [name, strictSchema(child)]),
      );
    } else if (key === 'items' || key === 'not' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = strictSchema(value as SchemaNode);
    } else if ((SUBSCHEMA_LISTS as readonly string[]).includes(key)) {
      out[key] = (value as SchemaNode[]).map(strictSchema);
    } else {
      out[key] = value;
    }
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    // A quantity's pattern applies to its string form only.
    const { type: _type, pattern, ...rest } = out;
    return { ...rest, anyOf: [{ type: 'integer' }, { type: 'string', ...(pattern === undefined ? {} : { pattern }) }] };
  }
  if (out.properties !== undefined && out.additionalProperties === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

/** A validator per `apiVersion/kind`, compiled from CustomResourceDefinition files. */
export class CrdValidators {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(crdFiles: readonly string[]) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    // The formats Kubernetes' schemas use; their ranges are the API server's business.
    for (const format of ['int32', 'int64', 'date-time', 'byte', 'double', 'float']) ajv.addFormat(format, true);
    for (const file of crdFiles) {
      const crd = parseYaml(readFileSync(file, 'utf8')) as {
        spec: { group: string; names: { kind: string }; versions: Array<{ name: string; schema: { openAPIV3Schema: SchemaNode } }> };
      };
      for (const version of crd.spec.versions) {
        const id = `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`;
        this.validators.set(id, ajv.compile(strictSchema(version.schema.openAPIV3Schema)));
      }
    }
  }

  /** The schema errors of `manifest` as `path: message` lines (empty when valid). */
  errors(manifest: { apiVersion?: unknown; kind?: unknown }): string[] {
    const id = `${String(manifest.apiVersion)}/${String(manifest.kind)}`;
    const validate = this.validators.get(id);
    if (!validate) return [`no schema for ${id} (known: ${[...this.validators.keys()].join(', ')})`];
    if (validate(manifest)) return [];
    return (validate.errors ?? []).map((error) => {
      const extra = error.keyword === 'additionalProperties' ? ` '${String(error.params.additionalProperty)}'` : '';
      return `${error.instancePath || '/'}: ${error.message ?? error.keyword}${extra}`;
    });
  }
}
