import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyEntity } from './api-key.entity.js';
import { AuthController } from './auth.controller.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { AnalystSessionsService } from './analyst-sessions.service.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthThrottle } from '../security/auth-throttle.js';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ApiKeyEntity])],
  controllers: [AuthController],
  providers: [ApiKeysService, AnalystSessionsService, AuthThrottle, { provide: APP_GUARD, useClass: ApiKeyGuard }],
  exports: [ApiKeysService, AnalystSessionsService, AuthThrottle],
})
export class AuthModule {}
