import { BankAccountEntity } from '../accounts/bank-account.entity.js';
import { ApiKeyEntity } from '../auth/api-key.entity.js';
import { BorrowerEntity } from '../borrowers/borrower.entity.js';
import { AuditLogEntity } from '../common/audit/audit-log.entity.js';
import { JobRunEntity } from '../jobs/job-run.entity.js';

/**
 * Every TypeORM entity, listed explicitly (ESM: no glob loading). Add new entities here.
 */
export const ENTITIES = [ApiKeyEntity, BorrowerEntity, BankAccountEntity, AuditLogEntity, JobRunEntity];
