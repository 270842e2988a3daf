/**
 * Payer tokens for clustering income credits: one payer printed several ways is one payer.
 */
/**
 * Words that say what kind of payment or company it is, not who pays: one payer printed as "BOLT PAYOUT WEEKLY" and
 * "BOLT TECHNOLOGY OU PAYOUT" is one payer. Dropped from a key unless nothing else would be left.
 */
export const PAYER_FORM_TOKENS = new Set([
  'PAYOUT',
  'PAYOUTS',
  'EARNINGS',
  'EARNING',
  'DRIVER',
  'DRIVERS',
  'PARTNER',
  'WEEKLY',
  'MONTHLY',
  'DAILY',
  'BIWEEKLY',
  'FORTNIGHTLY',
  'SETTLEMENT',
  'DISBURSEMENT',
  'REMITTANCE',
  'TECHNOLOGY',
  'TECHNOLOGIES',
  'TECH',
  'OU',
  'LTD',
  'LIMITED',
  'LIMI',
  'NIG',
  'NIGERIA',
  'NG',
  'PLC',
  'INC',
  'LLC',
  'BV',
  'GMBH',
  'CO',
  'COMPANY',
  'SERVICES',
  'OPERATIONS',
  'GROUP',
  'HOLDINGS',
  'INTERNATIONAL',
  'INTL',
  'PAY',
  'RIDER',
  'RIDERS',
  // The bank a payout was sent through ("…/Guaranty Trust Bank - payout") says nothing about who paid.
  'BANK',
  'MFB',
  'PSB',
  'ACCESS',
  'GUARANTY',
  'TRUST',
  'GTB',
  'GTBANK',
  'ZENITH',
  'WEMA',
  'UNITED',
  'AFRICA',
  'UBA',
  'FIRSTBANK',
  'FBN',
  'FIDELITY',
  'STERLING',
  'STANBIC',
  'IBTC',
  'ECOBANK',
  'FCMB',
  'POLARIS',
  'KEYSTONE',
  'PROVIDUS',
  'KUDA',
  'OPAY',
  'PALMPAY',
  'MONIEPOINT',
]);

/**
 * The tokens of a counterparty key that name the payer (≥ 2 characters, not a payment/company-form or bank word);
 * the key's own tokens when nothing else would be left. Labels keep the full key; only clustering uses these.
 */
export function payerTokens(key: string): string[] {
  const all = key.split(/[^A-Z0-9]+/).filter((w) => w.length > 1);
  const payer = all.filter((w) => !PAYER_FORM_TOKENS.has(w));
  return payer.length > 0 ? payer : all;
}
