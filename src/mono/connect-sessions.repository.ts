import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConnectSessionEntity, type ConnectScope } from './connect-session.entity.js';

@Injectable()
export class ConnectSessionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(ConnectSessionEntity);
  }

  async create(session: { borrowerId: string; reference: string; scope: ConnectScope; accountId?: string | null; now: Date }): Promise<ConnectSessionEntity> {
    return this.repo.save(
      this.repo.create({ borrowerId: session.borrowerId, reference: session.reference, scope: session.scope, accountId: session.accountId ?? null, status: 'pending', createdAt: session.now }),
    );
  }

  findByReference(reference: string): Promise<ConnectSessionEntity | null> {
    return this.repo.findOne({ where: { reference } });
  }

  async recordLink(id: string, monoUrl: string, monoCustomerId: string | null): Promise<void> {
    await this.repo.update({ id }, { monoUrl, monoCustomerId });
  }

  async markFailed(id: string): Promise<void> {
    await this.repo.update({ id, status: 'pending' }, { status: 'failed' });
  }

  async markCompleted(id: string, accountId: string, now: Date): Promise<void> {
    await this.repo.update({ id }, { status: 'completed', accountId, completedAt: now });
  }

  /** The reauth sessions still open for an account (completed when account_reauthorized arrives). */
  async completePendingReauth(accountId: string, now: Date): Promise<void> {
    await this.repo.update({ accountId, scope: 'reauth', status: 'pending' }, { status: 'completed', completedAt: now });
  }
}
