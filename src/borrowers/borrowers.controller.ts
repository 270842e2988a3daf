import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import type { Principal } from '../auth/api-keys.service.js';
import { Roles } from '../auth/roles.decorator.js';
import { BorrowersService } from './borrowers.service.js';
import { ApiErrors, invalidBody } from './dto/api-docs.js';
import { BorrowerResponseDto } from './dto/borrower-response.dto.js';
import { CreateBorrowerDto } from './dto/create-borrower.dto.js';
import {
  CompleteReauthDto,
  ConnectLinkResponseDto,
  ConnectRequestDto,
  ExchangeCodeDto,
  LinkedAccountResponseDto,
  ReauthCompletionDto,
  ReauthLinkResponseDto,
  ReauthRequestDto,
} from './dto/link-dtos.js';
import { TransactionItemDto, TransactionPageDto, TransactionsQueryDto } from './dto/transactions.dto.js';
import { uuidParam } from '../common/http/uuid-param.js';
import { DecisionHistoryDto, DecisionHistoryQueryDto, DecisionResponseDto } from '../scoring/dto/decision-response.dto.js';

const ID_PARAM = { name: 'id', description: 'Borrower id (UUID)', format: 'uuid', example: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21' };

@ApiTags('borrowers')
@Roles('frontend', 'admin')
@Controller('v1/borrowers')
export class BorrowersController {
  constructor(private readonly borrowers: BorrowersService) {}

  @Post()
  @ApiOperation({
    summary: 'Create a borrower',
    description: '`externalId` is unique: a repeat answers 409 BORROWER_EXISTS with the existing id in `details.id`.',
  })
  @ApiCreatedResponse({ type: BorrowerResponseDto })
  @ApiErrors(invalidBody('email', 'email must be an email address'), {
    status: 409,
    code: 'BORROWER_EXISTS',
    message: 'A borrower with externalId los-cust-000123 already exists',
    details: { id: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21' },
  })
  async create(@Body() dto: CreateBorrowerDto, @CurrentPrincipal() principal: Principal): Promise<BorrowerResponseDto> {
    const { borrower, accounts } = await this.borrowers.create(dto, `api-key:${principal.apiKeyId}`);
    return BorrowerResponseDto.from(borrower, accounts);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A borrower with their linked accounts (PII masked)' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: BorrowerResponseDto })
  @ApiErrors(404)
  async get(@Param('id', uuidParam('id')) id: string): Promise<BorrowerResponseDto> {
    const { borrower, accounts } = await this.borrowers.get(id);
    return BorrowerResponseDto.from(borrower, accounts);
  }

  @Post(':id/connect')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hosted Mono Connect link for linking a new bank account' })
  @ApiParam(ID_PARAM)
  @ApiBody({ type: ConnectRequestDto, required: false })
  @ApiOkResponse({ type: ConnectLinkResponseDto })
  @ApiErrors(invalidBody('redirectUrl', 'redirectUrl must be a URL address'), 404, 502)
  connect(@Param('id', uuidParam('id')) id: string, @Body() dto: ConnectRequestDto): Promise<ConnectLinkResponseDto> {
    return this.borrowers.createConnectLink(id, dto.redirectUrl);
  }

  @Post(':id/accounts')
  @ApiOperation({
    summary: 'Link an account with a Mono Connect widget code',
    description: 'Exchanges the one-time code; data arrives asynchronously (`dataStatus`).',
  })
  @ApiParam(ID_PARAM)
  @ApiCreatedResponse({ type: LinkedAccountResponseDto })
  @ApiErrors(
    invalidBody('code', 'code should not be empty'),
    { status: 400, code: 'BAD_REQUEST', message: 'Mono refused the code: it is invalid, expired or already used' },
    404,
    { status: 409, code: 'CONFLICT', message: 'This bank account is already linked to another borrower' },
    502,
  )
  async linkAccount(@Param('id', uuidParam('id')) id: string, @Body() dto: ExchangeCodeDto): Promise<LinkedAccountResponseDto> {
    const account = await this.borrowers.linkAccount(id, dto.code);
    return { id: account.id, monoAccountId: account.monoAccountId, dataStatus: account.dataStatus };
  }

  @Post(':id/reauth')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-authorisation link for an account the bank asks to re-authorise' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: ReauthLinkResponseDto })
  @ApiErrors(
    invalidBody('accountId', 'accountId must be a UUID'),
    404,
    { status: 409, code: 'REAUTH_NOT_REQUIRED', message: 'The account does not need re-authorisation' },
    502,
  )
  reauth(@Param('id', uuidParam('id')) id: string, @Body() dto: ReauthRequestDto): Promise<ReauthLinkResponseDto> {
    return this.borrowers.createReauthLink(id, dto.accountId, dto.redirectUrl);
  }

  @Post(':id/reauth/complete')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Report a finished re-authorisation, with the code the Mono widget handed over when it gave one',
    description:
      "With `code`: exchanged at Mono; it must name the account being re-authorised (409 CONFLICT otherwise), and the reauth is then confirmed at once (the flag clears, a waiting application moves on). Without `code`: nothing is asked of Mono; Mono's `account_reauthorized` webhook clears the flag, and `reauthRequired` says whether it already did.",
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: ReauthCompletionDto })
  @ApiErrors(
    invalidBody('accountId', 'accountId must be a UUID'),
    { status: 400, code: 'BAD_REQUEST', message: 'Mono refused the code: it is invalid, expired or already used' },
    404,
    { status: 409, code: 'CONFLICT', message: 'The code belongs to another Mono account than the one being re-authorised' },
    { status: 409, code: 'ACCOUNT_UNLINKED', message: 'The account was unlinked; link it again instead' },
    502,
  )
  completeReauth(@Param('id', uuidParam('id')) id: string, @Body() dto: CompleteReauthDto): Promise<ReauthCompletionDto> {
    return this.borrowers.completeReauth(id, dto.accountId, dto.code);
  }

  @Get(':id/transactions')
  @ApiOperation({ summary: "The borrower's normalised, categorised transactions, newest first (cursor-paginated)" })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: TransactionPageDto })
  @ApiErrors({ status: 400, code: 'BAD_REQUEST', message: 'cursor is not valid', details: { field: 'cursor' } }, 404)
  async transactions(@Param('id', uuidParam('id')) id: string, @Query() query: TransactionsQueryDto): Promise<TransactionPageDto> {
    const page = await this.borrowers.listTransactions(id, query);
    return { items: page.items.map((t) => TransactionItemDto.from(t)), nextCursor: page.nextCursor, total: page.total };
  }

  @Get(':id/decisions')
  @ApiOperation({ summary: 'Decision history of the borrower, newest first (cursor-paginated, with the total)' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: DecisionHistoryDto })
  @ApiErrors({ status: 400, code: 'BAD_REQUEST', message: 'cursor is not valid', details: { field: 'cursor' } }, 404)
  async decisions(@Param('id', uuidParam('id')) id: string, @Query() query: DecisionHistoryQueryDto): Promise<DecisionHistoryDto> {
    const page = await this.borrowers.decisionHistory(id, query);
    return { items: page.items.map((d) => DecisionResponseDto.from(d)), nextCursor: page.nextCursor, total: page.total };
  }
}
