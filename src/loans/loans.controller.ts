import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { IDEMPOTENCY_HEADER_DOC, IdempotencyKey } from '../applications/dto/idempotency-key.js';
import { LOCATION, REPLAYED } from '../common/http/openapi-types.js';
import type { Principal } from '../auth/api-keys.service.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiErrors, invalidBody } from '../borrowers/dto/api-docs.js';
import { uuidParam } from '../common/http/uuid-param.js';
import { CreateLoanDto, CreateRepaymentDto, LoanEventDto } from './dto/loan-requests.dto.js';
import { BorrowerLoansResponseDto, LoanResponseDto, RepaymentDto } from './dto/loan-responses.dto.js';
import { LoansService } from './loans.service.js';

const LOAN_ID = { name: 'id', description: 'Loan id (UUID)', format: 'uuid', example: 'a4b3c2d1-0e9f-4a8b-b7c6-d5e4f3a2b1c0' };

function replayed(res: Response): void {
  res.status(200);
  res.setHeader('Idempotent-Replayed', 'true');
}

/** The lender's own loans, reported by its origination/servicing system. */
@ApiTags('loans')
@Roles('frontend', 'admin')
@Controller('v1/loans')
export class LoansController {
  constructor(private readonly loans: LoansService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Record a disbursed loan (amortised schedule from the rate, or an explicit schedule)',
    description:
      'Against an application, the principal must be at most what its decision allowed (the requested amount when affordable, else the counter-offer), else 409 LOAN_NOT_ALLOWED with `details.reason`. Repeating a request with the same Idempotency-Key and body answers 200 with the same loan.',
  })
  @ApiHeader(IDEMPOTENCY_HEADER_DOC)
  @ApiCreatedResponse({
    type: LoanResponseDto,
    description: 'Recorded (a replay with the same key and body answers 200)',
    headers: { Location: LOCATION('/v1/loans/a4b3c2d1-0e9f-4a8b-b7c6-d5e4f3a2b1c0') },
  })
  @ApiOkResponse({
    type: LoanResponseDto,
    description: 'Idempotent replay of the first answer',
    headers: { Location: LOCATION('/v1/loans/a4b3c2d1-0e9f-4a8b-b7c6-d5e4f3a2b1c0'), 'Idempotent-Replayed': REPLAYED },
  })
  @ApiErrors(
    invalidBody('principalMinor', 'principalMinor must be an integer number of kobo'),
    404,
    {
      status: 409,
      code: 'LOAN_NOT_ALLOWED',
      message: 'The principal exceeds the 15000000 kobo the decision allowed',
      details: {
        reason: 'amount_above_decision',
        applicationId: 'c2f8d4a1-…',
        decisionId: 'a6b9e2f0-…',
        allowedMinor: 15000000,
        principalMinor: 20000000,
        basis: 'counter_offer',
      },
    },
    {
      status: 409,
      code: 'IDEMPOTENCY_KEY_REUSED',
      message: 'This Idempotency-Key was already used with a different request body',
      details: { loanId: 'a4b3c2d1-…' },
    },
  )
  async create(
    @Body() dto: CreateLoanDto,
    @IdempotencyKey() idempotencyKey: string,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LoanResponseDto> {
    const created = await this.loans.create(dto, principal, idempotencyKey);
    if (created.replayed) replayed(res);
    res.setHeader('Location', `/v1/loans/${created.value.id}`);
    return created.value;
  }

  @Post(':id/repayments')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Record a repayment (allocated oldest instalment first, interest before principal)',
    description:
      'Idempotent on `reference`: the same reference with the same amount and paidAt answers 200 with the stored result and changes nothing; with another amount or time 409 REPAYMENT_REFERENCE_REUSED. More than the loan owes is 422 OVERPAYMENT and writes nothing.',
  })
  @ApiParam(LOAN_ID)
  @ApiCreatedResponse({ type: RepaymentDto })
  @ApiOkResponse({ type: RepaymentDto, description: 'Replay of a known reference', headers: { 'Idempotent-Replayed': REPLAYED } })
  @ApiErrors(
    invalidBody('amountMinor', 'amountMinor must be an integer number of kobo'),
    404,
    {
      status: 409,
      code: 'LOAN_NOT_OPEN',
      message: 'Cannot record a repayment on a loan that is written_off',
      details: { loanId: 'a4b3c2d1-…', status: 'written_off' },
    },
    {
      status: 409,
      code: 'REPAYMENT_REFERENCE_REUSED',
      message: 'This reference was already used for a different repayment on this loan',
      details: { reference: 'RPY-2026-05-000123' },
    },
    {
      status: 422,
      code: 'OVERPAYMENT',
      message: 'The repayment of 9000000 kobo exceeds the 5508129 kobo the loan owes',
      details: { amountMinor: 9000000, outstandingMinor: 5508129 },
    },
  )
  async repay(
    @Param('id', uuidParam('id')) id: string,
    @Body() dto: CreateRepaymentDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RepaymentDto> {
    const created = await this.loans.repay(id, dto, principal);
    if (created.replayed) replayed(res);
    return created.value;
  }

  @Post(':id/events')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A lifecycle event: write_off, restructure (new schedule for the outstanding principal), close, reverse_repayment',
    description:
      '`reverse_repayment` takes the `reference` of the latest repayment not yet reversed (and made after the last restructure). `restructure` takes `schedule`, or `tenorMonths` with an optional `monthlyRate`. Answers the loan as it is after the event.',
  })
  @ApiParam(LOAN_ID)
  @ApiOkResponse({ type: LoanResponseDto })
  @ApiErrors(
    invalidBody('type', 'type must be one of write_off, restructure, close, reverse_repayment'),
    404,
    {
      status: 409,
      code: 'LOAN_NOT_OPEN',
      message: 'Cannot write off a loan that is closed',
      details: { loanId: 'a4b3c2d1-…', status: 'closed' },
    },
    {
      status: 409,
      code: 'REPAYMENT_NOT_REVERSIBLE',
      message: 'Only the latest repayment can be reversed: reverse the later ones first',
      details: { reason: 'later_repayments', reference: 'RPY-1', latestReference: 'RPY-2' },
    },
  )
  event(
    @Param('id', uuidParam('id')) id: string,
    @Body() dto: LoanEventDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<LoanResponseDto> {
    return this.loans.event(id, dto, principal);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A loan: schedule with paid/outstanding per instalment, outstanding principal, days past due, status, history' })
  @ApiParam(LOAN_ID)
  @ApiOkResponse({ type: LoanResponseDto })
  @ApiErrors(404)
  get(@Param('id', uuidParam('id')) id: string): Promise<LoanResponseDto> {
    return this.loans.get(id);
  }
}

@ApiTags('loans')
@Roles('frontend', 'admin')
@Controller('v1/borrowers')
export class BorrowerLoansController {
  constructor(private readonly loans: LoansService) {}

  @Get(':id/loans')
  @ApiOperation({ summary: "A borrower's loans (newest first) and the outstanding principal across the open ones" })
  @ApiParam({ name: 'id', description: 'Borrower id (UUID)', format: 'uuid', example: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21' })
  @ApiOkResponse({ type: BorrowerLoansResponseDto })
  @ApiErrors(404)
  list(@Param('id', uuidParam('id')) id: string): Promise<BorrowerLoansResponseDto> {
    return this.loans.forBorrower(id);
  }
}
