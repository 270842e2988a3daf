import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { AuthenticatedRequest } from '../auth/api-key.guard.js';
import type { Principal } from '../auth/api-keys.service.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { ApiErrors, invalidBody } from '../borrowers/dto/api-docs.js';
import { NotFoundError } from '../common/errors/domain-error.js';
import { LOCATION } from '../common/http/openapi-types.js';
import { uuidParam } from '../common/http/uuid-param.js';
import { backtestPage } from '../reports/views/backtest-pages.js';
import { csrfFor } from '../reports/analyst-session.js';
import { PolicyValidationError, validatePolicy } from '../scoring/engine/policy.js';
import { ShadowPolicies, type ShadowPolicyRow } from '../scoring/shadow-policies.js';
import { DomainError } from '../common/errors/domain-error.js';
import {
  BacktestDto,
  BacktestFormatQuery,
  CreateBacktestDto,
  ListBacktestsQuery,
  ShadowPolicyDto,
  ShadowPolicyRequestDto,
} from './backtests.dto.js';
import { BacktestsService, type BacktestRecord } from './backtests.service.js';

const BACKTEST_ID = { name: 'id', description: 'Backtest id (UUID)', format: 'uuid', example: '2b1f0c3e-4d5a-4b6c-8d7e-9f0a1b2c3d4e' };
const INVALID_POLICY = invalidBody('policy.affordability.dsrCap', 'invalid policy: affordability.dsrCap must be a decimal string');

const actorOf = (p: Principal): string => `api-key:${p.apiKeyId}`;
const shadowDto = (r: ShadowPolicyRow): ShadowPolicyDto => ({
  id: r.id,
  policyVersion: r.policyVersion,
  createdBy: r.createdBy,
  createdAt: new Date(r.createdAt).toISOString(),
  retiredAt: r.retiredAt ? new Date(r.retiredAt).toISOString() : null,
  active: r.active,
});

/** Policy backtests (background jobs) and the shadow policy: admin only (docs/scoring.md "Backtest", "Shadow policy"). */
@ApiTags('admin: backtests')
@Roles('admin')
@Controller('v1/admin')
export class BacktestsController {
  constructor(
    private readonly backtests: BacktestsService,
    private readonly shadows: ShadowPolicies,
  ) {}

  @Post('backtests')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Backtest a candidate policy against the stored decisions (a background job)',
    description:
      'Replays the stored engine input of every decision in [from, to) under `policy` and the baseline, on this engine, and — for decisions that became loans — measures 30+ DPD and default rates by band and grade, the approval/bad-rate curve and Gini/KS. Answers 202 with the queued run; poll `GET /v1/admin/backtests/{id}` (progress, then the result).',
  })
  @ApiAcceptedResponse({ type: BacktestDto, headers: { Location: LOCATION('/v1/admin/backtests/2b1f0c3e-4d5a-4b6c-8d7e-9f0a1b2c3d4e') } })
  @ApiErrors(INVALID_POLICY)
  async create(
    @Body() body: CreateBacktestDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BacktestDto> {
    const run = await this.backtests.request(body, actorOf(principal));
    res.setHeader('Location', `/v1/admin/backtests/${run.id}`);
    return run as BacktestDto;
  }

  @Get('backtests')
  @ApiOperation({ summary: 'Recent backtests, newest first (result: only decisions and flipped)' })
  @ApiOkResponse({ type: [BacktestDto] })
  @ApiErrors()
  async list(@Query() q: ListBacktestsQuery): Promise<BacktestDto[]> {
    return (await this.backtests.list(q.limit ?? 20)) as BacktestDto[];
  }

  @Get('backtests/:id')
  @ApiOperation({ summary: 'One backtest: progress, then its figures (`format=html`: a standalone page with the charts)' })
  @ApiParam(BACKTEST_ID)
  @ApiOkResponse({ type: BacktestDto, content: { 'text/html': { schema: { type: 'string' } } } })
  @ApiErrors(404)
  async get(
    @Param('id', uuidParam('id')) id: string,
    @Query() q: BacktestFormatQuery,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const run = await this.backtests.get(id);
    res.setHeader('Cache-Control', 'no-store');
    if (q.format === 'html') {
      const principal = (req as AuthenticatedRequest).principal!;
      res
        .type('text/html; charset=utf-8')
        .send(backtestPage(pageView(run), { name: principal.name, role: principal.role, csrf: csrfFor(req) }, { standalone: true }));
      return;
    }
    res.json(run);
  }

  @Get('shadow-policy')
  @ApiOperation({ summary: 'Shadow policies, newest first (at most one active)' })
  @ApiOkResponse({ type: [ShadowPolicyDto] })
  @ApiErrors()
  async shadowList(): Promise<ShadowPolicyDto[]> {
    return (await this.shadows.list()).map(shadowDto);
  }

  @Put('shadow-policy')
  @ApiOperation({
    summary: 'Mark a policy as the shadow: every live decision is also computed under it and stored beside it, never acted on',
    description:
      'Retires the previous shadow policy. Shadow results are never returned to the frontend; the portfolio report compares them with the live decisions.',
  })
  @ApiOkResponse({ type: ShadowPolicyDto })
  @ApiErrors(INVALID_POLICY)
  async shadowSet(@Body() body: ShadowPolicyRequestDto, @CurrentPrincipal() principal: Principal): Promise<ShadowPolicyDto> {
    let policy;
    try {
      policy = validatePolicy(body.policy);
    } catch (err) {
      if (err instanceof PolicyValidationError)
        throw new DomainError('VALIDATION_FAILED', `Invalid request: policy.${err.field}`, {
          fields: [{ field: `policy.${err.field}`, errors: [err.message] }],
        });
      throw err;
    }
    return shadowDto(await this.shadows.activate(policy, actorOf(principal)));
  }

  @Delete('shadow-policy')
  @HttpCode(204)
  @ApiOperation({ summary: 'Retire the active shadow policy (its stored shadow decisions stay)' })
  @ApiNoContentResponse({ description: 'Retired' })
  @ApiErrors({ status: 404, code: 'NOT_FOUND', message: 'Shadow policy active was not found' })
  async shadowRetire(@CurrentPrincipal() principal: Principal): Promise<void> {
    if (!(await this.shadows.retire(actorOf(principal)))) throw new NotFoundError('Shadow policy', 'active');
  }
}

export function pageView(run: BacktestRecord): Parameters<typeof backtestPage>[0] {
  return {
    id: run.id,
    status: run.status,
    requestedBy: run.requestedBy,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    progress: run.progress,
    window: run.window,
    candidatePolicy: run.candidatePolicy,
    baselinePolicy: run.baselinePolicy,
    error: run.error,
    result: run.result,
  };
}
