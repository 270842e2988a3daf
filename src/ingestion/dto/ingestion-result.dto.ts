import { ApiProperty } from '@nestjs/swagger';
import type { IngestionResult } from '../ingestion.service.js';
import { DATE, INTEGER, UUID } from '../../common/http/openapi-types.js';

export class IngestionResultDto {
  @ApiProperty({ ...UUID, example: '0e4b1f2a-3c5d-4e6f-8a9b-0c1d2e3f4a5b' }) ingestionRunId!: string;
  @ApiProperty({ ...UUID, example: '8d3f8c1e-2b6a-4c1f-9a55-0c9f2f1d7e10' }) accountId!: string;
  @ApiProperty({ ...DATE, example: '2025-10-01', description: 'First Lagos business date fetched' }) windowStart!: string;
  @ApiProperty({ ...DATE, example: '2025-10-08', description: 'Last Lagos business date fetched' }) windowEnd!: string;
  @ApiProperty({ ...INTEGER, example: 412 }) fetched!: number;
  @ApiProperty({ ...INTEGER, example: 12 }) inserted!: number;
  @ApiProperty({ ...INTEGER, example: 1 }) modified!: number;
  @ApiProperty({ ...INTEGER, example: 0 }) removed!: number;
  @ApiProperty({ ...INTEGER, example: 399 }) unchanged!: number;
  @ApiProperty({ ...INTEGER, example: 0 }) restored!: number;
  @ApiProperty({ ...INTEGER, example: 0 }) rekeyed!: number;
  @ApiProperty({ ...INTEGER, example: 3 }) recategorised!: number;
  @ApiProperty({ example: true, description: 'False when the bank returned no transactions (e.g. PARTIAL data)' })
  transactionsRetrieved!: boolean;
  @ApiProperty({ description: 'Current ledger findings of the account', type: 'array', items: { type: 'object' } })
  findings!: Array<Record<string, unknown>>;
  @ApiProperty({ type: 'object', additionalProperties: true }) coverage!: Record<string, unknown>;

  static from(r: IngestionResult): IngestionResultDto {
    return Object.assign(new IngestionResultDto(), {
      ingestionRunId: r.ingestionRunId,
      accountId: r.accountId,
      windowStart: r.windowStart,
      windowEnd: r.windowEnd,
      fetched: r.fetched,
      inserted: r.inserted,
      modified: r.modified,
      removed: r.removed,
      unchanged: r.unchanged,
      restored: r.restored,
      rekeyed: r.rekeyed,
      recategorised: r.recategorised,
      transactionsRetrieved: r.transactionsRetrieved,
      findings: r.findings.map((f) => ({ ...f })),
      coverage: { ...r.coverage },
    });
  }
}
