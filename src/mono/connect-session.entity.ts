import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const CONNECT_SCOPES = ['auth', 'reauth'] as const;
export type ConnectScope = (typeof CONNECT_SCOPES)[number];
export const CONNECT_SESSION_STATUSES = ['pending', 'completed', 'expired', 'failed'] as const;
export type ConnectSessionStatus = (typeof CONNECT_SESSION_STATUSES)[number];

/** One hosted-link hand-out: `reference` is sent as Mono's `meta.ref` and comes back on `account_connected`. */
@Entity({ name: 'connect_sessions' })
export class ConnectSessionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'borrower_id', type: 'uuid' }) borrowerId!: string;
  @Column({ type: 'varchar', length: 64 }) reference!: string;
  @Column({ type: 'varchar', length: 8 }) scope!: ConnectScope;
  @Column({ name: 'account_id', type: 'uuid', nullable: true }) accountId!: string | null;
  @Column({ name: 'mono_url', type: 'text', nullable: true }) monoUrl!: string | null;
  @Column({ name: 'mono_customer_id', type: 'varchar', length: 64, nullable: true }) monoCustomerId!: string | null;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) status!: ConnectSessionStatus;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt!: Date | null;
}
