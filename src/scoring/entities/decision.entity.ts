import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { BorrowerEntity } from '../../borrowers/borrower.entity.js';
import { decimalStringTransformer, koboTransformer } from '../../common/money.js';
import type { ConsentPurpose } from '../../mono/consent-gate.js';
import type {
  CashFlowResult,
  CounterOffer,
  CoverageResult,
  Decision,
  EngineResult,
  Feature,
  IncomeResult,
  ObligationsResult,
  Reason,
} from '../engine/index.js';

export const DECISION_TRIGGERS = ['application', 'scheduled', 'event', 'manual', 'override'] as const;
export type DecisionTrigger = (typeof DECISION_TRIGGERS)[number];

/** Changes the orchestration made on top of the engine's decision (the engine result itself is never edited). */
export interface DecisionOverrides {
  decision?: { from: Decision; to: Decision; reason: string };
}

/** The consent an account's data was retrieved under at decision time (consentId null: none was valid then). */
export interface DecisionConsent {
  accountId: string;
  consentId: string | null;
  /** Only a data-retrieval purpose (underwriting, monitoring) is ever recorded here. */
  purpose: ConsentPurpose | null;
}

/** One immutable evaluation (append-only in Postgres). `result` is the full engine output. */
@Entity({ name: 'decisions' })
export class DecisionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'borrower_id', type: 'uuid' }) borrowerId!: string;
  @ManyToOne(() => BorrowerEntity) @JoinColumn({ name: 'borrower_id' }) borrower?: Relation<BorrowerEntity>;
  @Column({ name: 'application_id', type: 'uuid', nullable: true }) applicationId!: string | null;
  @Column({ type: 'varchar', length: 16 }) trigger!: DecisionTrigger;
  @Column({ type: 'varchar', length: 8 }) decision!: Decision;
  @Column({ name: 'recommended_limit_minor', type: 'bigint', transformer: koboTransformer }) recommendedLimitMinor!: number;
  @Column({ name: 'instalment_minor', type: 'bigint', transformer: koboTransformer }) instalmentMinor!: number;
  @Column({ name: 'requested_amount_minor', type: 'bigint', nullable: true, transformer: koboTransformer }) requestedAmountMinor!:
    number | null;
  @Column({ name: 'requested_tenor_months', type: 'integer', nullable: true }) requestedTenorMonths!: number | null;
  @Column({ type: 'char', length: 3, default: 'NGN' }) currency!: string;
  @Column({ name: 'binding_constraint', type: 'varchar', length: 32 }) bindingConstraint!: string;
  @Column({ name: 'post_loan_dsr', type: 'numeric', precision: 12, scale: 6, nullable: true, transformer: decimalStringTransformer })
  postLoanDsr!: string | null;
  @Column({ name: 'counter_offer', type: 'jsonb', nullable: true }) counterOffer!: CounterOffer | null;
  @Column({ type: 'jsonb' }) reasons!: Reason[];
  @Column({ type: 'text', array: true, default: () => "'{}'" }) flags!: string[];
  @Column({ type: 'jsonb' }) income!: IncomeResult;
  @Column({ type: 'jsonb' }) obligations!: ObligationsResult;
  @Column({ name: 'cash_flow', type: 'jsonb' }) cashFlow!: CashFlowResult;
  @Column({ type: 'jsonb' }) coverage!: CoverageResult;
  @Column({ type: 'jsonb' }) features!: Feature[];
  @Column({ type: 'jsonb' }) result!: EngineResult;
  @Column({ name: 'inputs_hash', type: 'char', length: 64 }) inputsHash!: string;
  @Column({ name: 'policy_version', type: 'varchar', length: 128 }) policyVersion!: string;
  @Column({ name: 'engine_version', type: 'varchar', length: 64 }) engineVersion!: string;
  @Column({ name: 'data_as_of', type: 'timestamptz' }) dataAsOf!: Date;
  @Column({ name: 'supersedes_id', type: 'uuid', nullable: true }) supersedesId!: string | null;
  @Column({ type: 'varchar', length: 128, nullable: true }) actor!: string | null;
  @Column({ type: 'jsonb', nullable: true }) overrides!: DecisionOverrides | null;
  /**
   * The consent each account's data was held under when the decision was made (docs/privacy.md); null for decisions
   * made before consents were recorded on decisions.
   */
  @Column({ type: 'jsonb', nullable: true }) consents!: DecisionConsent[] | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
