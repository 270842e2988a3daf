import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { EngineInput } from '../engine/index.js';

/**
 * The exact engine input behind one or more decisions, keyed by its hash (replayable bit for bit). Written as
 * `payload_gzip`: gzip of the input's JSON text (`JSON.stringify(input)`); rows written before that keep a jsonb
 * `payload`. Exactly one of the two is set. Read it with `decodeDecisionInput`.
 */
@Entity({ name: 'decision_inputs' })
export class DecisionInputEntity {
  @PrimaryColumn({ name: 'inputs_hash', type: 'char', length: 64 }) inputsHash!: string;
  @Column({ type: 'jsonb', nullable: true }) payload!: EngineInput | null;
  @Column({ name: 'payload_gzip', type: 'bytea', nullable: true }) payloadGzip!: Buffer | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
