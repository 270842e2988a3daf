import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../common/audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainError, NotFoundError } from '../common/errors/domain-error.js';
import { ReportsRepository } from './reports.repository.js';

/** Longest note an analyst can save (the column's check). */
export const NOTE_MAX_LENGTH = 4000;

/**
 * Analyst notes: a free-text memo per decision. Each save is a new version (nothing is edited in place), recorded in
 * the audit log in the same transaction (`decision.note_saved` with the version and length — not the text, which may
 * name people and is scrubbed at erasure), and shown with its history on the borrower page and in the PDF.
 */
@Injectable()
export class AnalystNotesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: ReportsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async save(borrowerId: string, decisionId: string, body: string, actor: string): Promise<{ version: number }> {
    const text = body.replace(/\r\n/g, '\n').trim();
    if (text.length === 0) throw new DomainError('BAD_REQUEST', 'Write a note before saving it', { field: 'body' });
    if (text.length > NOTE_MAX_LENGTH)
      throw new DomainError('BAD_REQUEST', `A note is at most ${NOTE_MAX_LENGTH} characters`, { field: 'body' });
    const decision = await this.repo.findDecision(borrowerId, decisionId);
    if (!decision) throw new NotFoundError('Decision', decisionId);
    return this.dataSource.transaction(async (m) => {
      const version = await this.repo.addNote(m, { decisionId, borrowerId, body: text, author: actor, now: this.clock.now() });
      await this.audit.record(
        {
          actor,
          action: 'decision.note_saved',
          entityType: 'decision',
          entityId: decisionId,
          before: version > 1 ? { version: version - 1 } : null,
          after: { version, length: text.length },
        },
        m,
      );
      return { version };
    });
  }
}
