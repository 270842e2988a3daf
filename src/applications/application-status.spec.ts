import { describe, expect, it } from '@jest/globals';
import {
  APPLICATION_STATUSES,
  IllegalTransitionError,
  OPEN_STATUSES,
  TERMINAL_STATUSES,
  TRANSITIONS,
  assertTransition,
  canTransition,
  isApplicationStatus,
  type ApplicationStatus,
} from './application-status.js';

describe('application status transitions', () => {
  const allowed: Array<[ApplicationStatus, ApplicationStatus]> = [
    ['received', 'syncing'],
    ['received', 'scoring'],
    ['received', 'reauth_required'],
    ['received', 'failed'],
    ['syncing', 'scoring'],
    ['syncing', 'reauth_required'],
    ['syncing', 'failed'],
    ['reauth_required', 'syncing'],
    ['reauth_required', 'scoring'],
    ['reauth_required', 'failed'],
    ['scoring', 'decided'],
    ['scoring', 'failed'],
  ];

  it.each(allowed)('should allow %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it('should forbid every move that is not in the table', () => {
    const allowedKeys = new Set(allowed.map(([a, b]) => `${a}>${b}`));
    for (const from of APPLICATION_STATUSES) {
      for (const to of APPLICATION_STATUSES) {
        if (allowedKeys.has(`${from}>${to}`)) continue;
        expect(canTransition(from, to)).toBe(false);
        expect(() => assertTransition(from, to)).toThrow(IllegalTransitionError);
      }
    }
  });

  it('should never leave a terminal status', () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(['decided', 'failed']);
    for (const s of TERMINAL_STATUSES) expect(TRANSITIONS[s]).toEqual([]);
  });

  it('should reach decided from every open status', () => {
    const reaches = (from: ApplicationStatus, seen = new Set<ApplicationStatus>()): boolean => {
      if (from === 'decided') return true;
      seen.add(from);
      return TRANSITIONS[from].some((to) => !seen.has(to) && reaches(to, seen));
    };
    for (const s of OPEN_STATUSES) expect(reaches(s)).toBe(true);
  });

  it('should go back to syncing only from reauth_required', () => {
    const into = APPLICATION_STATUSES.filter((s) => canTransition(s, 'syncing'));
    expect(into).toEqual(['received', 'reauth_required']);
  });

  it('should recognise status strings', () => {
    expect(isApplicationStatus('scoring')).toBe(true);
    expect(isApplicationStatus('approved')).toBe(false);
  });
});
