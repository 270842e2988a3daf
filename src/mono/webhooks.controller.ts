import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/roles.decorator.js';
import { WebhooksService } from './webhooks.service.js';

/** Mono's webhook endpoint: authenticated by the shared `mono-webhook-secret` header, not by API key. */
@ApiExcludeController()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('mono')
  @Public()
  @HttpCode(200)
  receive(@Headers('mono-webhook-secret') secret: string | undefined, @Body() body: unknown): Promise<{ received: true; duplicate: boolean }> {
    return this.webhooks.receive(secret, body);
  }
}
