import { Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn, type Relation } from 'typeorm';
import { BankAccountEntity } from '../accounts/bank-account.entity.js';
import { piiTransformer } from '../security/pii-cipher.js';

@Entity({ name: 'borrowers' })
export class BorrowerEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'external_id', type: 'varchar', length: 128 }) externalId!: string;
  @Column({ name: 'full_name', type: 'varchar', length: 200 }) fullName!: string;
  @Column({ type: 'varchar', length: 320 }) email!: string;
  /** Encrypted at rest (AES-256-GCM, see docs/security.md). */
  @Column({ type: 'varchar', length: 512, nullable: true, transformer: piiTransformer }) phone!: string | null;
  /** Encrypted at rest (AES-256-GCM, see docs/security.md). */
  @Column({ type: 'varchar', length: 512, nullable: true, transformer: piiTransformer }) bvn!: string | null;
  /** When the borrower's personal data was erased (docs/privacy.md), and on what basis. */
  @Column({ name: 'erased_at', type: 'timestamptz', nullable: true }) erasedAt!: Date | null;
  @Column({ name: 'erasure_basis', type: 'varchar', length: 16, nullable: true }) erasureBasis!: 'request' | 'retention' | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @OneToMany(() => BankAccountEntity, (a) => a.borrower) accounts?: Relation<BankAccountEntity[]>;
}
