/** The personas offered by the hosted link page and `POST /sandbox/accounts {persona}`, with one-line descriptions. */
import { generatePersona, PERSONA_NAMES, type GeneratedPersona, type PersonaName } from './personas/index.js';

export const PERSONA_DESCRIPTIONS: Readonly<Record<PersonaName, string>> = {
  salaried_monthly: 'Salary from one employer on the last business day of every month; ordinary spending.',
  salary_raise: 'Monthly salary that steps up part-way through the history.',
  weekly_gig: 'Weekly payouts from gig platforms of varying size.',
  trader_irregular: 'Market trader: many irregular customer transfers and POS inflows, stock purchases.',
  loan_stacker: 'Several digital lenders: disbursements and repayments to more than one lender.',
  gambler: 'Regular betting stakes and occasional payouts alongside a salary.',
  job_loss: 'Salary that stops a few months before today.',
  thin_file: 'Fewer than three months of history.',
  mfa_bank: 'A bank that demands re-authorisation (MFA) whenever the account is synced.',
  self_transfer_pair: 'Two linked accounts of one person with transfers between them.',
};

export { PERSONA_NAMES, type GeneratedPersona, type PersonaName };

export function isPersonaName(name: string): name is PersonaName {
  return (PERSONA_NAMES as readonly string[]).includes(name);
}

export function personaList(): Array<{ name: PersonaName; description: string }> {
  return PERSONA_NAMES.map((name) => ({ name, description: PERSONA_DESCRIPTIONS[name] }));
}

export function buildPersona(
  name: PersonaName,
  opts: { asOf: string; seed?: number; months?: number; accountId?: string; holder?: { fullName: string; email?: string | null } },
): GeneratedPersona {
  return generatePersona(name, opts);
}
