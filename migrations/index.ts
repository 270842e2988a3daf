import { CoreSchema1763715600000 } from './1763715600000-CoreSchema.js';
import { WidenEncryptedPii1763719200000 } from './1763719200000-WidenEncryptedPii.js';
import { ApplicationFlow1763800000000 } from './1763800000000-ApplicationFlow.js';
import { IngestionIdentityName1763803600000 } from './1763803600000-IngestionIdentityName.js';
import { Reunderwriting1764100000000 } from './1764100000000-Reunderwriting.js';
import { MonoDetailsOrdering1764200000000 } from './1764200000000-MonoDetailsOrdering.js';
import { CompactDecisionInputs1764300000000 } from './1764300000000-CompactDecisionInputs.js';
import { Consents1765200000000 } from './1765200000000-Consents.js';
import { Loans1765300000000 } from './1765300000000-Loans.js';
import { InboxOutboxOnJobs1765500000000 } from './1765500000000-InboxOutboxOnJobs.js';
import { ErasureWrites1765600000000 } from './1765600000000-ErasureWrites.js';
import { ConsentLifecycle1765700000000 } from './1765700000000-ConsentLifecycle.js';
import { AnalystSessions1765800000000 } from './1765800000000-AnalystSessions.js';
import { EngineIdentity1765900000000 } from './1765900000000-EngineIdentity.js';
import { IngestionRunHeartbeat1766000000000 } from './1766000000000-IngestionRunHeartbeat.js';
import { DecisionNotes1766100000000 } from './1766100000000-DecisionNotes.js';
import { Backtests1766200000000 } from './1766200000000-Backtests.js';
import { DecisionsCreatedIndex1766250000000 } from './1766250000000-DecisionsCreatedIndex.js';
import { IncomeCrosscheck1766300000000 } from './1766300000000-IncomeCrosscheck.js';
import { IncomeCheckOncePerDecision1766400000000 } from './1766400000000-IncomeCheckOncePerDecision.js';

/** Every migration, in order. Listed explicitly (no globs) so bundlers, ESM and the CLI agree. */
export const migrations = [
  CoreSchema1763715600000,
  WidenEncryptedPii1763719200000,
  ApplicationFlow1763800000000,
  IngestionIdentityName1763803600000,
  Reunderwriting1764100000000,
  MonoDetailsOrdering1764200000000,
  CompactDecisionInputs1764300000000,
  Consents1765200000000,
  Loans1765300000000,
  InboxOutboxOnJobs1765500000000,
  ErasureWrites1765600000000,
  ConsentLifecycle1765700000000,
  AnalystSessions1765800000000,
  EngineIdentity1765900000000,
  IngestionRunHeartbeat1766000000000,
  DecisionNotes1766100000000,
  Backtests1766200000000,
  DecisionsCreatedIndex1766250000000,
  IncomeCrosscheck1766300000000,
  IncomeCheckOncePerDecision1766400000000,
];
