import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Principal } from '../auth/api-keys.service.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiErrors, invalidBody } from '../borrowers/dto/api-docs.js';
import { uuidParam } from '../common/http/uuid-param.js';
import { ApplicationsService } from './applications.service.js';
import { ApplicationAcceptedDto, ApplicationResponseDto } from './dto/application-response.dto.js';
import { CreateApplicationDto } from './dto/create-application.dto.js';
import { IDEMPOTENCY_HEADER_DOC, IdempotencyKey } from './dto/idempotency-key.js';
import { LOCATION, REPLAYED } from '../common/http/openapi-types.js';

@ApiTags('applications')
@Roles('frontend', 'admin')
@Controller('v1/applications')
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Submit a loan application (asynchronous)',
    description:
      'Answers 202 at once; the engine syncs stale accounts, waits for fresh data (or re-authorisation), scores and decides. Poll GET /v1/applications/{id} or listen for `application.decided`. Repeating a request with the same Idempotency-Key and body answers 200 with the same application.',
  })
  @ApiHeader(IDEMPOTENCY_HEADER_DOC)
  @ApiAcceptedResponse({
    type: ApplicationAcceptedDto,
    description: 'Accepted (a replay with the same key and body answers 200)',
    headers: { Location: LOCATION('/v1/applications/c2f8d4a1-7b3e-4f6a-9d0c-1e2f3a4b5c6d') },
  })
  @ApiOkResponse({
    type: ApplicationAcceptedDto,
    description: 'Idempotent replay of the first answer',
    headers: { Location: LOCATION('/v1/applications/c2f8d4a1-7b3e-4f6a-9d0c-1e2f3a4b5c6d'), 'Idempotent-Replayed': REPLAYED },
  })
  @ApiErrors(
    invalidBody('amount', 'amount must be an integer number of kobo'),
    404,
    {
      status: 409,
      code: 'NO_LINKED_ACCOUNT',
      message: 'The borrower has no linked bank account: connect one first',
      details: { borrowerId: '3f0c2a8e-…', next: 'POST /v1/borrowers/3f0c2a8e-…/connect' },
    },
    {
      status: 409,
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: 'This Idempotency-Key was already used with a different request body',
      details: { applicationId: 'c2f8d4a1-…' },
    },
  )
  async submit(
    @Body() dto: CreateApplicationDto,
    @IdempotencyKey() idempotencyKey: string,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ApplicationAcceptedDto> {
    const { application, replayed } = await this.applications.submit(dto, principal, idempotencyKey);
    if (replayed) {
      res.status(200);
      res.setHeader('Idempotent-Replayed', 'true');
    }
    res.setHeader('Location', `/v1/applications/${application.id}`);
    return { id: application.id, status: application.status };
  }

  @Get(':id')
  @ApiOperation({ summary: 'An application with its per-account sync status and, once decided, the decision' })
  @ApiParam({ name: 'id', description: 'Application id (UUID)', format: 'uuid', example: 'c2f8d4a1-7b3e-4f6a-9d0c-1e2f3a4b5c6d' })
  @ApiOkResponse({ type: ApplicationResponseDto })
  @ApiErrors(404)
  async get(@Param('id', uuidParam('id')) id: string): Promise<ApplicationResponseDto> {
    const view = await this.applications.get(id);
    return ApplicationResponseDto.from(view.application, view.accounts, view.decision);
  }
}
