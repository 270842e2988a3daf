import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit/audit.service.js';
import { Clock, SystemClock } from './clock.js';
import { AccountEventBus } from './events/account-events.js';

@Global()
@Module({
  providers: [AuditService, AccountEventBus, { provide: Clock, useClass: SystemClock }],
  exports: [AuditService, AccountEventBus, Clock],
})
export class CommonModule {}
