import { Global, Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { MetricsController } from './metrics.controller.js';

/**
 * One prom-client Registry per application instance (not the library's global one), so several engine apps in one
 * process — tests do that — never collide on metric names. Inject `Registry` and use `getOrCreate*` helpers.
 */
@Global()
@Module({
  providers: [{ provide: Registry, useFactory: () => new Registry() }],
  controllers: [MetricsController],
  exports: [Registry],
})
export class MetricsModule {}
