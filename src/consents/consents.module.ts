import { Global, Module } from '@nestjs/common';
import { CONSENT_GATE } from '../mono/consent-gate.js';
import { MonoModule } from '../mono/mono.module.js';
import { OutboxModule } from '../outbox/outbox.module.js';
import { ConsentGateService } from './consent-gate.service.js';
import { ConsentLifecycleService } from './consent-lifecycle.service.js';
import { BorrowerConsentsController, ConsentsController } from './consents.controller.js';
import { ConsentsRepository } from './consents.repository.js';
import { ConsentsService } from './consents.service.js';
import { DataExportController } from './data-export.controller.js';
import { DataExportService } from './data-export.service.js';
import { ErasureService } from './erasure.service.js';

/**
 * Consent records per borrower and purpose, and the implementation of mono's ConsentGate port. Global so that the
 * lower modules (mono, ingestion, applications) get CONSENT_GATE without importing this module.
 */
@Global()
@Module({
  imports: [OutboxModule, MonoModule],
  controllers: [BorrowerConsentsController, ConsentsController, DataExportController],
  providers: [ConsentsRepository, ConsentsService, ConsentLifecycleService, ConsentGateService, DataExportService, ErasureService, { provide: CONSENT_GATE, useExisting: ConsentGateService }],
  exports: [CONSENT_GATE, ConsentsService, ConsentLifecycleService],
})
export class ConsentsModule {}
