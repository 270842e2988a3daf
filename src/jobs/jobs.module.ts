import { Global, Module } from '@nestjs/common';
import { JobsService } from './jobs.service.js';

/** The pg-boss job system (see JobsService); global so any module can send and register handlers. */
@Global()
@Module({ providers: [JobsService], exports: [JobsService] })
export class JobsModule {}
