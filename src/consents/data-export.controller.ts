import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import type { Principal } from '../auth/api-keys.service.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiErrors } from '../borrowers/dto/api-docs.js';
import { uuidParam } from '../borrowers/dto/uuid-param.js';
import { DataExportService, type BorrowerExport } from './data-export.service.js';
import { ErasureService, type ErasurePlan } from './erasure.service.js';

export class ErasureRequestDto {
  @ApiPropertyOptional({ example: true, description: 'List what would go and what stays, and what blocks it, without erasing anything' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

export class ErasurePlanDto {
  @ApiProperty({ format: 'uuid' }) borrowerId!: string;
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ example: [{ reason: 'active_consent', ids: ['5a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d'] }] }) blockers!: ErasurePlan['blockers'];
  @ApiProperty({ example: { profile: 1, transactions: 512, balanceSnapshots: 4, webhookPayloads: 3, accountIdentities: 1, decisionInputs: 2 } })
  erase!: Record<string, number>;
  @ApiProperty({ example: [{ what: 'decisions (outcome, limit, reasons, …)', why: 'the audit trail of each credit decision' }] }) keep!: ErasurePlan['keep'];
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) erasedAt!: string | null;
}

@ApiTags('consents')
@Roles('admin')
@Controller('v1/borrowers')
export class DataExportController {
  constructor(
    private readonly exports: DataExportService,
    private readonly erasure: ErasureService,
  ) {}

  @Post(':id/erasure')
  @HttpCode(200)
  @ApiOperation({
    summary: "Erase a borrower's personal data (or, with dryRun, list what would go and what stays)",
    description:
      'Refused with 409 ERASURE_BLOCKED while a consent is active, a loan is open or an application is in flight. Linked accounts ' +
      'are unlinked at Mono, then one transaction deletes the raw bank data and scrubs identity, free text, engine inputs and names ' +
      'in stored decisions and audit snapshots; decisions, reasons, loans, consents and the audit trail stay. docs/privacy.md "Erasure".',
  })
  @ApiParam({ name: 'id', description: 'Borrower id (UUID)', example: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21' })
  @ApiBody({ type: ErasureRequestDto })
  @ApiOkResponse({ type: ErasurePlanDto })
  @ApiErrors(404, { status: 409, code: 'ERASURE_BLOCKED', message: 'Borrower 3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21 cannot be erased yet: active_consent', details: { blockers: [{ reason: 'active_consent', ids: [] }] } })
  async erase(@Param('id', uuidParam('id')) id: string, @Body() dto: ErasureRequestDto, @CurrentPrincipal() principal: Principal): Promise<ErasurePlan> {
    return this.erasure.erase(id, { dryRun: dto.dryRun === true, actor: `api-key:${principal.apiKeyId}` });
  }

  @Get(':id/export')
  @ApiOperation({
    summary: 'Everything held about a borrower (data subject access)',
    description:
      'One JSON document (`format: borrower-export/v1`): profile with PII decrypted, consents, linked accounts, every stored ' +
      'transaction, decisions with reasons, applications, loans with schedules and repayments, and the audit trail of those ' +
      'records. Admin only; the export is audited (`borrower.exported`, counts only). docs/privacy.md "Access".',
  })
  @ApiParam({ name: 'id', description: 'Borrower id (UUID)', example: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21' })
  @ApiOkResponse({
    description: 'The export',
    schema: {
      type: 'object',
      properties: {
        format: { type: 'string', example: 'borrower-export/v1' },
        generatedAt: { type: 'string', format: 'date-time' },
        borrower: { type: 'object' },
        consents: { type: 'array', items: { type: 'object' } },
        accounts: { type: 'array', items: { type: 'object' } },
        transactions: { type: 'array', items: { type: 'object' } },
        decisions: { type: 'array', items: { type: 'object' } },
        applications: { type: 'array', items: { type: 'object' } },
        loans: { type: 'array', items: { type: 'object' } },
        audit: { type: 'array', items: { type: 'object' } },
        counts: { type: 'object', additionalProperties: { type: 'integer' } },
      },
    },
  })
  @ApiErrors(404)
  async export(@Param('id', uuidParam('id')) id: string, @CurrentPrincipal() principal: Principal): Promise<BorrowerExport> {
    return this.exports.export(id, `api-key:${principal.apiKeyId}`);
  }
}
