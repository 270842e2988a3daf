import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import type { Request, Response } from 'express';
import type { Principal } from '../auth/api-keys.service.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiErrors, invalidBody } from '../borrowers/dto/api-docs.js';
import { uuidParam } from '../common/http/uuid-param.js';
import { BORROWER_EXPORT_FORMATS, DataExportService, type BorrowerExport, type BorrowerExportFormat } from './data-export.service.js';
import { borrowerExportZip, EXPORT_ZIP_CONTENT_TYPE, EXPORT_ZIP_FILES } from './data-export.zip.js';
import { ErasureService, type ErasurePlan } from './erasure.service.js';
import { DATE_TIME, UUID } from '../common/http/openapi-types.js';

export class ErasureRequestDto {
  @ApiPropertyOptional({ example: true, description: 'List what would go and what stays, and what blocks it, without erasing anything' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

export class ExportQueryDto {
  @ApiPropertyOptional({
    enum: BORROWER_EXPORT_FORMATS,
    default: 'json',
    description:
      '`json`: one JSON document. `zip`: a ZIP attachment with one CSV per section, export.json and README.txt. Without it, `Accept: application/zip` asks for the ZIP.',
  })
  @IsOptional()
  @IsIn(BORROWER_EXPORT_FORMATS, { message: `format must be one of ${BORROWER_EXPORT_FORMATS.join(', ')}` })
  format?: BorrowerExportFormat;
}

export class ErasurePlanDto {
  @ApiProperty({ ...UUID, format: 'uuid' }) borrowerId!: string;
  @ApiProperty() dryRun!: boolean;
  @ApiProperty({ example: [{ reason: 'active_consent', ids: ['5a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d'] }] })
  blockers!: ErasurePlan['blockers'];
  @ApiProperty({
    example: { profile: 1, transactions: 512, balanceSnapshots: 4, webhookPayloads: 3, accountIdentities: 1, decisionInputs: 2 },
  })
  erase!: Record<string, number>;
  @ApiProperty({ example: [{ what: 'decisions (outcome, limit, reasons, …)', why: 'the audit trail of each credit decision' }] })
  keep!: ErasurePlan['keep'];
  @ApiProperty({ ...DATE_TIME, nullable: true, format: 'date-time' }) erasedAt!: string | null;
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
  @ApiParam({ name: 'id', description: 'Borrower id (UUID)', format: 'uuid', example: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21' })
  @ApiBody({ type: ErasureRequestDto })
  @ApiOkResponse({ type: ErasurePlanDto })
  @ApiErrors(invalidBody('dryRun', 'dryRun must be a boolean value'), 404, {
    status: 409,
    code: 'ERASURE_BLOCKED',
    message: 'Borrower 3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21 cannot be erased yet: active_consent',
    details: { blockers: [{ reason: 'active_consent', ids: [] }] },
  })
  async erase(
    @Param('id', uuidParam('id')) id: string,
    @Body() dto: ErasureRequestDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ErasurePlan> {
    return this.erasure.erase(id, { dryRun: dto.dryRun === true, actor: `api-key:${principal.apiKeyId}` });
  }

  @Get(':id/export')
  @ApiOperation({
    summary: 'Everything held about a borrower (data subject access)',
    description:
      'One JSON document (`format: borrower-export/v1`): profile with PII decrypted, consents, linked accounts, every stored ' +
      'transaction, decisions with reasons, applications, loans with schedules and repayments, Mono income cross-checks, ' +
      'shadow-policy results, and the audit trail of those ' +
      'records. With `format=zip` (or `Accept: application/zip` and no `format`) the same export as a ZIP attachment: one CSV ' +
      'per section (profile, consents, accounts, transactions, decisions, applications, loans, loan-instalments, ' +
      'loan-repayments, income-checks, shadow-decisions, audit; RFC 4180, UTF-8, header row, amounts in integer kobo next to a currency column, nested values ' +
      'as JSON text, cells starting with = + - @ prefixed with an apostrophe), export.json (the JSON document) and README.txt. ' +
      'JSON is the default. Admin only; the export is audited (`borrower.exported`, counts and format only). docs/privacy.md "Access".',
  })
  @ApiParam({ name: 'id', description: 'Borrower id (UUID)', format: 'uuid', example: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21' })
  @ApiProduces('application/json', EXPORT_ZIP_CONTENT_TYPE)
  @ApiOkResponse({
    description: 'The export: the JSON document, or (`format=zip`) a ZIP attachment `borrower-<id>-export.zip`',
    headers: {
      'Cache-Control': { description: 'Always `no-store`', schema: { type: 'string', example: 'no-store' } },
      'Content-Disposition': {
        description: 'ZIP only',
        schema: { type: 'string', example: 'attachment; filename="borrower-3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21-export.zip"' },
      },
    },
    content: {
      'application/json': {
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
      },
      [EXPORT_ZIP_CONTENT_TYPE]: {
        schema: { type: 'string', format: 'binary', description: `A ZIP holding ${EXPORT_ZIP_FILES.join(', ')}` },
      },
    },
  })
  @ApiErrors(404)
  async export(
    @Param('id', uuidParam('id')) id: string,
    @Query() query: ExportQueryDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
  ): Promise<BorrowerExport | StreamableFile> {
    // An explicit format wins; otherwise the Accept header may ask for the ZIP (anything else, or none, is JSON).
    res.vary('Accept');
    const format =
      query.format ?? (req.accepts(['application/json', EXPORT_ZIP_CONTENT_TYPE]) === EXPORT_ZIP_CONTENT_TYPE ? 'zip' : 'json');
    const doc = await this.exports.export(id, `api-key:${principal.apiKeyId}`, format);
    res.setHeader('Cache-Control', 'no-store');
    if (format === 'json') return doc;
    return new StreamableFile(borrowerExportZip(doc), {
      type: EXPORT_ZIP_CONTENT_TYPE,
      // id is a UUID (uuidParam), safe in the quoted filename.
      disposition: `attachment; filename="borrower-${id}-export.zip"`,
    });
  }
}
