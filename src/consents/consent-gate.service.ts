import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ConsentCheck, ConsentGate, ConsentPurpose } from '../mono/consent-gate.js';
import { consentStatusAt } from './consent.entity.js';
import { ConsentsRepository } from './consents.repository.js';

/**
 * The consents module's implementation of mono's ConsentGate port. Among the valid consents it prefers the purpose
 * listed first (sync-on-apply relies on `underwriting` before `monitoring`), then the newest grant. A refusal names
 * the state of the newest consent for those purposes (revoked, expired) or `none`.
 */
@Injectable()
export class ConsentGateService implements ConsentGate {
  constructor(private readonly repo: ConsentsRepository) {}

  async check(accountId: string, purposes: readonly ConsentPurpose[], at: Date, manager?: EntityManager): Promise<ConsentCheck> {
    const candidates = await this.repo.findCoveringAccount(accountId, purposes, manager);
    for (const purpose of purposes) {
      const valid = candidates.find((c) => c.purpose === purpose && consentStatusAt(c, at) === 'active');
      if (valid) return { ok: true, consentId: valid.id, purpose };
    }
    const latest = candidates.find((c) => consentStatusAt(c, at) !== 'scheduled');
    if (!latest) return { ok: false, reason: 'none', latestConsentId: null };
    return { ok: false, reason: consentStatusAt(latest, at) === 'revoked' ? 'revoked' : 'expired', latestConsentId: latest.id };
  }
}
