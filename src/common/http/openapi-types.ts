/**
 * OpenAPI shapes of the values every DTO uses, so a client generated from the document gets exact types: kobo as
 * 64-bit integers (never floats), counts as integers, ids as UUIDs, instants and Lagos business dates with their
 * formats. Spread into `@ApiProperty({ ...KOBO, example: 45000000 })`. test/e2e/openapi-client.e2e-spec.ts holds
 * the document to these rules.
 */
import type { HeaderObject } from '@nestjs/swagger';

export const KOBO = { type: 'integer', format: 'int64' } as const;
export const INTEGER = { type: 'integer', format: 'int32' } as const;
export const UUID = { type: 'string', format: 'uuid' } as const;
/** An ISO 8601 instant with its offset (`2026-05-20T08:30:00.000Z`). */
export const DATE_TIME = { type: 'string', format: 'date-time' } as const;
/** A Lagos business date `YYYY-MM-DD`. */
export const DATE = { type: 'string', format: 'date' } as const;

/** A `Location` response header pointing at the created resource. */
export const LOCATION = (example: string): HeaderObject => ({
  description: 'Where the resource can be read',
  schema: { type: 'string', example },
});
/** `Idempotent-Replayed: true` on an answer that replays the first one for the same Idempotency-Key. */
export const REPLAYED: HeaderObject = {
  description: '`true` when this answer replays an earlier request with the same key',
  schema: { type: 'string', enum: ['true'] },
};
