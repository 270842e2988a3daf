import { Module } from '@nestjs/common';
import { ScoringModule } from '../scoring/scoring.module.js';
import { BacktestsController } from './backtests.controller.js';
import { BacktestsService } from './backtests.service.js';

/** Policy backtests as background jobs and the shadow policy's admin routes (docs/scoring.md "Backtest"). */
@Module({
  imports: [ScoringModule],
  controllers: [BacktestsController],
  providers: [BacktestsService],
  exports: [BacktestsService],
})
export class BacktestsModule {}
