import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface OpenApiDoc {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: Json }> }> }>>;
  components: { schemas: Record<string, Json> };
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * OpenAPI 3.0 schema → JSON Schema for Ajv: `nullable` becomes `anyOf [null, …]`, component refs point into one
 * registered schema, examples and docs-only keywords go, and objects that list their properties accept no others —
 * so a field the server sends but the document does not declare fails, as it would surprise a generated client.
 */
function toJsonSchema(s: Json): Json {
  if (Array.isArray(s)) return s.map(toJsonSchema);
  if (s === null || typeof s !== 'object') return s;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref' && typeof v === 'string') out.$ref = v.replace('#/components/schemas/', 'openapi#/definitions/');
    else if (k === 'properties' && v && typeof v === 'object' && !Array.isArray(v))
      out.properties = Object.fromEntries(Object.entries(v).map(([name, p]) => [name, toJsonSchema(p)]));
    else if (['nullable', 'example', 'examples', 'deprecated', 'description', 'x-roles'].includes(k)) continue;
    else out[k] = toJsonSchema(v);
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return s.nullable === true ? { anyOf: [{ type: 'null' }, out] } : out;
}

/** Validates response bodies against the operation's documented schema for that status. */
export class OpenApiResponseValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly cache = new Map<string, ValidateFunction | null>();

  constructor(private readonly doc: OpenApiDoc) {
    addFormats(this.ajv);
    this.ajv.addSchema({
      $id: 'openapi',
      definitions: Object.fromEntries(Object.entries(doc.components.schemas).map(([k, v]) => [k, toJsonSchema(v)])),
    });
  }

  /** Problems with one response, or [] when it matches the document. An undocumented status is a problem. */
  check(method: string, pathTemplate: string, status: number, contentType: string | null, body: unknown): string[] {
    const op = this.doc.paths[pathTemplate]?.[method.toLowerCase()];
    if (!op) return [`${method} ${pathTemplate} is not in the document`];
    const response = op.responses[String(status)];
    if (!response) return [`${method} ${pathTemplate} answered ${status}, which the document does not list`];
    const mediaType = (contentType ?? '').split(';')[0].trim();
    if (!response.content) return [];
    const media = response.content[mediaType];
    if (!media)
      return [
        `${method} ${pathTemplate} ${status} answered ${mediaType || 'no content type'}, not ${Object.keys(response.content).join(', ')}`,
      ];
    const key = `${method} ${pathTemplate} ${status} ${mediaType}`;
    if (!this.cache.has(key)) this.cache.set(key, media.schema ? this.ajv.compile(toJsonSchema(media.schema) as object) : null);
    const validate = this.cache.get(key);
    if (!validate || validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${key}: ${e.instancePath || '(body)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }
}
