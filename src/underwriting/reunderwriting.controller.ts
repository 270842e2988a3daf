import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { INTEGER } from '../common/http/openapi-types.js';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ListLimitQuery } from '../common/http/list-limit.query.js';
import { StrictInt } from '../common/http/strict-int.js';
import { uuidParam } from '../common/http/uuid-param.js';
import type { Principal } from '../auth/api-keys.service.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { Roles } from '../auth/roles.decorator.js';
import { ReunderwritingService, type CycleProgress, type StartResult } from './reunderwriting.service.js';

export class StartReunderwriteDto {
  /** Overrides REUNDERWRITE_SYNC_BUDGET for this cycle (Mono sync calls it may spend). */
  @ApiPropertyOptional({
    ...INTEGER,
    minimum: 0,
    maximum: 10_000_000,
    example: 1000,
    description: 'Mono sync calls this cycle may spend (default REUNDERWRITE_SYNC_BUDGET)',
  })
  @IsOptional()
  @StrictInt()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  budget?: number;
}

export class ListCyclesQuery extends ListLimitQuery {}

const PROGRESS_EXAMPLE = {
  cycleId: '6f1c2b0e-8a3d-4c55-9a51-2f8f2e0b7c11',
  status: 'running',
  trigger: 'manual',
  asOf: '2026-11-21T01:00:00.000Z',
  startedAt: '2026-11-21T01:00:00.120Z',
  finishedAt: null,
  budget: 1000,
  monoCallsSpent: 412,
  counters: {
    total: 980,
    pending: 530,
    inProgress: 4,
    done: 444,
    failed: 2,
    skipped: 0,
    synced: 398,
    reauthNeeded: 9,
    overBudget: 0,
    raised: 31,
    lowered: 6,
    frozen: 2,
    unfrozen: 0,
    unchanged: 405,
  },
};

/** Re-underwriting run now, and progress of cycles (admin only). */
@ApiTags('admin: re-underwriting')
@Controller('v1/admin/reunderwrite')
export class ReunderwritingController {
  constructor(private readonly service: ReunderwritingService) {}

  @Post()
  @HttpCode(202)
  @Roles('admin')
  @ApiOperation({
    summary: 'Start a re-underwriting cycle now (its reviews are background jobs); resumes an unfinished cycle instead of starting another',
  })
  @ApiAcceptedResponse({ schema: { example: { cycleId: '6f1c2b0e-8a3d-4c55-9a51-2f8f2e0b7c11', resumed: false, items: 980 } } })
  @ApiConflictResponse({
    schema: {
      example: {
        statusCode: 409,
        code: 'REUNDERWRITE_ALREADY_RUNNING',
        message: 'A re-underwriting cycle is already running',
        details: { cycleId: '6f1c2b0e-8a3d-4c55-9a51-2f8f2e0b7c11' },
      },
    },
  })
  async start(@Body() body: StartReunderwriteDto, @CurrentPrincipal() principal: Principal): Promise<StartResult> {
    return this.service.startCycle('manual', { requestedBy: `api-key:${principal.apiKeyId}`, budget: body.budget });
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'Recent cycles, newest first' })
  @ApiOkResponse({ schema: { example: [PROGRESS_EXAMPLE] } })
  async list(@Query() q: ListCyclesQuery): Promise<CycleProgress[]> {
    return this.service.listCycles(q.limit ?? 20);
  }

  @Get(':cycleId')
  @Roles('admin')
  @ApiOperation({ summary: 'Progress and summary of one cycle' })
  @ApiParam({ name: 'cycleId', description: 'Review cycle id (UUID)', format: 'uuid', example: '6f1c2b0e-8a3d-4c55-9a51-2f8f2e0b7c11' })
  @ApiOkResponse({ schema: { example: PROGRESS_EXAMPLE } })
  @ApiNotFoundResponse({ schema: { example: { statusCode: 404, code: 'NOT_FOUND', message: 'review cycle … was not found' } } })
  async get(@Param('cycleId', uuidParam('cycleId')) cycleId: string): Promise<CycleProgress> {
    return this.service.progress(cycleId);
  }
}
