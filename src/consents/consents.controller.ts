import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Principal } from '../auth/api-keys.service.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiErrors, invalidBody } from '../borrowers/dto/api-docs.js';
import { uuidParam } from '../common/http/uuid-param.js';
import { ConsentsService } from './consents.service.js';
import { ConsentListDto, ConsentResponseDto, GrantConsentDto, RevokeConsentDto, RevokedConsentResponseDto } from './dto/consent.dto.js';

const BORROWER_PARAM = { name: 'id', description: 'Borrower id (UUID)', format: 'uuid', example: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21' };
const CONSENT_PARAM = { name: 'id', description: 'Consent id (UUID)', format: 'uuid', example: '5a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d' };

@ApiTags('consents')
@Roles('frontend', 'admin')
@Controller('v1/borrowers')
export class BorrowerConsentsController {
  constructor(private readonly consents: ConsentsService) {}

  @Post(':id/consents')
  @ApiOperation({
    summary: "Record the borrower's consent for a purpose",
    description:
      'No Mono call is made for an account without a consent valid for the purpose at that moment (docs/privacy.md). ' +
      '`monitoring` without `expiresAt` expires after CONSENT_MONITORING_MONTHS (12).',
  })
  @ApiParam(BORROWER_PARAM)
  @ApiBody({ type: GrantConsentDto })
  @ApiCreatedResponse({ type: ConsentResponseDto })
  @ApiErrors(invalidBody('purpose', 'purpose must be one of underwriting, monitoring'), 404)
  async grant(
    @Param('id', uuidParam('id')) id: string,
    @Body() dto: GrantConsentDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ConsentResponseDto> {
    const consent = await this.consents.grant(id, dto, `api-key:${principal.apiKeyId}`);
    return ConsentResponseDto.from(consent, this.consents.now());
  }

  @Get(':id/consents')
  @ApiOperation({ summary: "The borrower's consents, newest first, with their status now" })
  @ApiParam(BORROWER_PARAM)
  @ApiOkResponse({ type: ConsentListDto })
  @ApiErrors(404)
  async list(@Param('id', uuidParam('id')) id: string): Promise<ConsentListDto> {
    const now = this.consents.now();
    return { items: (await this.consents.list(id)).map((c) => ConsentResponseDto.from(c, now)) };
  }
}

@ApiTags('consents')
@Roles('frontend', 'admin')
@Controller('v1/consents')
export class ConsentsController {
  constructor(private readonly consents: ConsentsService) {}

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke a consent (effective at once)',
    description:
      'Syncs that start after the revocation are refused with 409 CONSENT_REQUIRED; emits `consent.revoked`. Accounts ' +
      'no other valid consent covers any more are unlinked at Mono (`unlinkedAccountIds`).',
  })
  @ApiParam(CONSENT_PARAM)
  @ApiBody({ type: RevokeConsentDto, required: false })
  @ApiOkResponse({ type: RevokedConsentResponseDto })
  @ApiErrors(invalidBody('reason', 'reason must be shorter than or equal to 500 characters'), 404, {
    status: 409,
    code: 'CONSENT_ALREADY_REVOKED',
    message: 'Consent 5a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d was already revoked',
    details: { consentId: '5a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d', revokedAt: '2026-04-02T10:00:00.000Z' },
  })
  async revoke(
    @Param('id', uuidParam('id')) id: string,
    @Body() dto: RevokeConsentDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RevokedConsentResponseDto> {
    const { consent, unlinkedAccountIds } = await this.consents.revoke(id, dto.reason ?? null, `api-key:${principal.apiKeyId}`);
    return { ...ConsentResponseDto.from(consent, this.consents.now()), unlinkedAccountIds };
  }
}
