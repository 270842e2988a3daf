import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AppConfig } from '../config/app-config.js';
import { CurrentPrincipal } from './current-principal.decorator.js';
import type { Principal } from './api-keys.service.js';
import { Roles } from './roles.decorator.js';

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly config: AppConfig) {}

  @Get('whoami')
  @Roles('frontend', 'analyst', 'admin')
  @ApiOperation({ summary: 'The role and name of the calling API key, and the lender this engine serves (to check a key and the engine)' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['name', 'role', 'lenderId'],
      properties: {
        name: { type: 'string', example: 'los-production' },
        role: { type: 'string', enum: ['frontend', 'analyst', 'admin'], example: 'frontend' },
        lenderId: { type: 'string', example: 'default', description: 'LENDER_ID: one engine and database per lender' },
      },
    },
  })
  @ApiUnauthorizedResponse({ schema: { example: { statusCode: 401, code: 'UNAUTHENTICATED', message: 'Invalid or revoked API key' } } })
  whoami(@CurrentPrincipal() principal: Principal): { name: string; role: string; lenderId: string } {
    return { name: principal.name, role: principal.role, lenderId: this.config.lenderId };
  }
}
