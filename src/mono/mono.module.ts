import { Module } from '@nestjs/common';
import { ConnectSessionsRepository } from './connect-sessions.repository.js';
import { IncomeCrosscheckService } from './income-crosscheck.service.js';
import { IncomeCrosscheckJobs } from './income-crosscheck.jobs.js';
import { LinkService } from './link.service.js';
import { MonoAccountsRepository } from './mono-accounts.repository.js';
import { MonoClient } from './mono.client.js';
import { ReauthService } from './reauth.service.js';
import { SyncRunsRepository } from './sync-runs.repository.js';
import { SyncService } from './sync.service.js';
import { WebhookEventsRepository } from './webhook-events.repository.js';
import { WebhookHandlersService } from './webhook-handlers.service.js';
import { WebhookInboxProcessor } from './webhook-inbox.processor.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';

/** Mono integration: the client, connect / sync / reauth services, and the webhook inbox. */
@Module({
  controllers: [WebhooksController],
  providers: [
    MonoClient,
    MonoAccountsRepository,
    ConnectSessionsRepository,
    SyncRunsRepository,
    WebhookEventsRepository,
    ReauthService,
    LinkService,
    SyncService,
    WebhookHandlersService,
    WebhookInboxProcessor,
    WebhooksService,
    IncomeCrosscheckService,
    IncomeCrosscheckJobs,
  ],
  exports: [MonoClient, LinkService, SyncService, ReauthService, WebhookInboxProcessor, IncomeCrosscheckService],
})
export class MonoModule {}
