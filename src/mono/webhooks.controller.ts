import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Public } from '../auth/roles.decorator.js';
import { SkipRateLimit } from '../security/rate-limit.guard.js';
import { WebhooksService } from './webhooks.service.js';

/** Mono's webhook endpoint: authenticated by the shared `mono-webhook-secret` header, not by API key. */
@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('mono')
  @Public()
  @SkipRateLimit()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mono webhook intake',
    description:
      'Configure this URL in the Mono dashboard. The raw event is stored durably in the inbox before the 200; processing is asynchronous, retried, de-duplicated (event_id or payload hash) and independent of arrival order.',
  })
  @ApiHeader({ name: 'mono-webhook-secret', required: true, description: 'Must equal MONO_WEBHOOK_SECRET (constant-time comparison)' })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['event'],
      properties: { event: { type: 'string' }, event_id: { type: 'string' }, timestamp: { type: 'string' }, data: { type: 'object' } },
      example: {
        event: 'mono.events.account_updated',
        event_id: 'evt_01J9Z3',
        timestamp: '2026-11-21T09:00:00.000Z',
        data: { account: { _id: '5f171a530295e231abca1153' }, meta: { data_status: 'AVAILABLE', retrieved_data: ['balance', 'transactions'] } },
      },
    },
  })
  @ApiOkResponse({ schema: { example: { received: true, duplicate: false } } })
  @ApiUnauthorizedResponse({ schema: { example: { statusCode: 401, code: 'UNAUTHENTICATED', message: 'Invalid webhook secret' } } })
  @ApiBadRequestResponse({ schema: { example: { statusCode: 400, code: 'BAD_REQUEST', message: 'Webhook body must be a JSON object with a string event' } } })
  receive(@Headers('mono-webhook-secret') secret: string | undefined, @Body() body: unknown): Promise<{ received: true; duplicate: boolean }> {
    return this.webhooks.receive(secret, body);
  }
}
