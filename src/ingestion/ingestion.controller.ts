import { Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator.js';
import { ANY_PURPOSE } from '../mono/consent-gate.js';
import { IngestionResultDto } from './dto/ingestion-result.dto.js';
import { IngestionService } from './ingestion.service.js';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('v1/admin/accounts')
export class IngestionController {
  constructor(private readonly ingestion: IngestionService) {}

  @Post(':id/ingest')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Ingest an account now (fetch, reconcile, categorise, store); 409 CONSENT_REQUIRED without a valid consent' })
  async ingest(@Param('id', new ParseUUIDPipe()) id: string): Promise<IngestionResultDto> {
    return IngestionResultDto.from(await this.ingestion.ingestAccount(id, { trigger: 'manual', consentPurposes: ANY_PURPOSE }));
  }
}
