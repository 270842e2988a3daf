import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { CurrentPrincipal } from './current-principal.decorator.js';
import type { Principal } from './api-keys.service.js';
import { Roles } from './roles.decorator.js';

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  @Get('whoami')
  @Roles('frontend', 'analyst', 'admin')
  @ApiOperation({ summary: 'The role and name of the calling API key (to check a key works)' })
  @ApiOkResponse({ schema: { example: { name: 'los-production', role: 'frontend' } } })
  @ApiUnauthorizedResponse({ schema: { example: { statusCode: 401, code: 'UNAUTHENTICATED', message: 'Invalid or revoked API key' } } })
  whoami(@CurrentPrincipal() principal: Principal): { name: string; role: string } {
    return { name: principal.name, role: principal.role };
  }
}
