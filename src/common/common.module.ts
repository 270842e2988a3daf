import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit/audit.service.js';
import { Clock, SystemClock } from './clock.js';

@Global()
@Module({
  providers: [AuditService, { provide: Clock, useClass: SystemClock }],
  exports: [AuditService, Clock],
})
export class CommonModule {}
