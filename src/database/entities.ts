import { BankAccountEntity } from '../accounts/bank-account.entity.js';
import { ApiKeyEntity } from '../auth/api-key.entity.js';
import { BorrowerEntity } from '../borrowers/borrower.entity.js';
import { AuditLogEntity } from '../common/audit/audit-log.entity.js';
import { ConsentEntity } from '../consents/consent.entity.js';
import { JobRunEntity } from '../jobs/job-run.entity.js';
import { INGESTION_ENTITIES } from '../ingestion/entities/index.js';
import { ConnectSessionEntity } from '../mono/connect-session.entity.js';
import { SyncRunEntity } from '../mono/sync-run.entity.js';
import { WebhookEventEntity } from '../mono/webhook-event.entity.js';
import { ApplicationAccountEntity } from '../applications/application-account.entity.js';
import { LoanApplicationEntity } from '../applications/loan-application.entity.js';
import { LOAN_ENTITIES } from '../loans/loan.entity.js';
import { OutboxEventEntity } from '../outbox/outbox-event.entity.js';
import { DecisionInputEntity } from '../scoring/entities/decision-input.entity.js';
import { DecisionEntity } from '../scoring/entities/decision.entity.js';
import { CreditLimitEntity } from '../underwriting/credit-limit.entity.js';
import { LimitChangeEntity } from '../underwriting/limit-change.entity.js';
import { ReviewCycleEntity } from '../underwriting/review-cycle.entity.js';
import { ReviewItemEntity } from '../underwriting/review-item.entity.js';

/**
 * Every TypeORM entity, listed explicitly (ESM: no glob loading). Add new entities here.
 */
export const ENTITIES = [
  ApiKeyEntity,
  BorrowerEntity,
  BankAccountEntity,
  ConsentEntity,
  AuditLogEntity,
  JobRunEntity,
  LoanApplicationEntity,
  ApplicationAccountEntity,
  DecisionEntity,
  DecisionInputEntity,
  OutboxEventEntity,
  ConnectSessionEntity,
  SyncRunEntity,
  WebhookEventEntity,
  ...INGESTION_ENTITIES,
  CreditLimitEntity,
  LimitChangeEntity,
  ReviewCycleEntity,
  ReviewItemEntity,
  ...LOAN_ENTITIES,
];
