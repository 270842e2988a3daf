import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../borrowers/dto/api-docs.js';
import { uuidParam } from '../common/http/uuid-param.js';
import { Roles } from '../auth/roles.decorator.js';
import { ANY_PURPOSE } from '../mono/consent-gate.js';
import { IngestionResultDto } from './dto/ingestion-result.dto.js';
import { IngestionService } from './ingestion.service.js';

@ApiTags('admin')
@Controller('v1/admin/accounts')
export class IngestionController {
  constructor(private readonly ingestion: IngestionService) {}

  @Post(':id/ingest')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Ingest an account now (fetch, reconcile, categorise, store); 409 CONSENT_REQUIRED without a valid consent' })
  @ApiParam({
    name: 'id',
    description: 'Bank account id (UUID, the engine’s, not Mono’s)',
    format: 'uuid',
    example: '8d3f8c1e-2b6a-4c1f-9a55-0c9f2f1d7e10',
  })
  @ApiOkResponse({ type: IngestionResultDto, description: 'What the ingestion fetched and changed' })
  @ApiErrors(
    404,
    { status: 409, code: 'CONSENT_REQUIRED', message: 'No valid consent covers this account: nothing was fetched' },
    { status: 409, code: 'ACCOUNT_UNLINKED', message: 'The account was unlinked at Mono' },
    502,
  )
  async ingest(@Param('id', uuidParam('id')) id: string): Promise<IngestionResultDto> {
    return IngestionResultDto.from(await this.ingestion.ingestAccount(id, { trigger: 'manual', consentPurposes: ANY_PURPOSE }));
  }
}
