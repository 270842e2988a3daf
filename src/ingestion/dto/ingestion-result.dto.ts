import { ApiProperty } from '@nestjs/swagger';
import type { IngestionResult } from '../ingestion.service.js';

export class IngestionResultDto {
  @ApiProperty({ format: 'uuid' }) ingestionRunId!: string;
  @ApiProperty({ format: 'uuid' }) accountId!: string;
  @ApiProperty({ example: '2025-10-01' }) windowStart!: string;
  @ApiProperty({ example: '2025-10-08' }) windowEnd!: string;
  @ApiProperty() fetched!: number;
  @ApiProperty() inserted!: number;
  @ApiProperty() modified!: number;
  @ApiProperty() removed!: number;
  @ApiProperty() unchanged!: number;
  @ApiProperty() restored!: number;
  @ApiProperty() rekeyed!: number;
  @ApiProperty() recategorised!: number;
  @ApiProperty() transactionsRetrieved!: boolean;
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
