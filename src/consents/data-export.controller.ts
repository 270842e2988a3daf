import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/api-keys.service.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiErrors } from '../borrowers/dto/api-docs.js';
import { uuidParam } from '../borrowers/dto/uuid-param.js';
import { DataExportService, type BorrowerExport } from './data-export.service.js';

@ApiTags('consents')
@Roles('admin')
@Controller('v1/borrowers')
export class DataExportController {
  constructor(private readonly exports: DataExportService) {}

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
