import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator.js';
import { ApiErrors } from '../borrowers/dto/api-docs.js';
import { uuidParam } from '../common/http/uuid-param.js';
import { ReplayResponseDto } from '../scoring/dto/decision-response.dto.js';
import { ScoringService } from '../scoring/scoring.service.js';

@ApiTags('admin')
@Roles('admin')
@Controller('v1/admin/decisions')
export class AdminDecisionsController {
  constructor(private readonly scoring: ScoringService) {}

  @Post(':id/replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-run the engine on the stored input of a decision and compare with the stored result' })
  @ApiParam({ name: 'id', description: 'Decision id (UUID)', format: 'uuid', example: 'a6b9e2f0-1c3d-4e5f-8a7b-9c0d1e2f3a4b' })
  @ApiOkResponse({ type: ReplayResponseDto })
  @ApiErrors(404)
  replay(@Param('id', uuidParam('id')) id: string): Promise<ReplayResponseDto> {
    return this.scoring.replay(id);
  }
}
