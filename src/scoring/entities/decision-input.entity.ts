import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { EngineInput } from '../engine/index.js';

/** The exact engine input behind one or more decisions, keyed by its hash (replayable bit for bit). */
@Entity({ name: 'decision_inputs' })
export class DecisionInputEntity {
  @PrimaryColumn({ name: 'inputs_hash', type: 'char', length: 64 }) inputsHash!: string;
  @Column({ type: 'jsonb' }) payload!: EngineInput;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
