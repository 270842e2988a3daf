/** Synthetic Nigerian identities, banks and counterparties. All names are invented combinations of common names. */
import type { Rng } from './prng.js';
import type { MonoV2AccountDetails, PersonaIdentity } from './types.js';

export interface Bank {
  name: string;
  code: string;
  /** How the bank abbreviates itself in NIP narrations. */
  short: string;
}

export const BANKS: readonly Bank[] = [
  { name: 'Guaranty Trust Bank', code: '058', short: 'GTB' },
  { name: 'Access Bank', code: '044', short: 'ACCESS' },
  { name: 'Zenith Bank', code: '057', short: 'ZENITH' },
  { name: 'First Bank of Nigeria', code: '011', short: 'FBN' },
  { name: 'United Bank for Africa', code: '033', short: 'UBA' },
  { name: 'Fidelity Bank', code: '070', short: 'FIDELITY' },
  { name: 'Stanbic IBTC Bank', code: '221', short: 'STANBIC' },
  { name: 'Wema Bank', code: '035', short: 'WEMA' },
  { name: 'Sterling Bank', code: '232', short: 'STERLING' },
  { name: 'Ecobank Nigeria', code: '050', short: 'ECOBANK' },
];

export const KUDA: Bank = { name: 'Kuda Microfinance Bank', code: '50211', short: 'KUDA MFB' };

const MALE = [
  'Adebayo',
  'Chinedu',
  'Emeka',
  'Ibrahim',
  'Oluwaseun',
  'Tunde',
  'Uchenna',
  'Musa',
  'Segun',
  'Ifeanyi',
  'Kelechi',
  'Babatunde',
  'Yusuf',
  'Obinna',
  'Femi',
];
const FEMALE = [
  'Chioma',
  'Amaka',
  'Funmilayo',
  'Aisha',
  'Ngozi',
  'Folake',
  'Zainab',
  'Adaeze',
  'Bukola',
  'Halima',
  'Ifeoma',
  'Yetunde',
  'Blessing',
  'Nkechi',
  'Temitope',
];
const SURNAMES = [
  'Okafor',
  'Adeyemi',
  'Bello',
  'Eze',
  'Ogunleye',
  'Nwosu',
  'Abubakar',
  'Olawale',
  'Okonkwo',
  'Balogun',
  'Ibekwe',
  'Danjuma',
  'Afolabi',
  'Chukwu',
  'Lawal',
  'Onyeka',
  'Adeleke',
  'Usman',
];
const STREETS = [
  'Allen Avenue, Ikeja',
  'Adeola Odeku Street, Victoria Island',
  'Herbert Macaulay Way, Yaba',
  'Ogui Road, Enugu',
  'Aminu Kano Crescent, Wuse 2, Abuja',
  'Ring Road, Ibadan',
  'Aba Road, Port Harcourt',
];

export function makeIdentity(rng: Rng): PersonaIdentity {
  const female = rng.chance(0.5);
  const first = rng.pick(female ? FEMALE : MALE);
  let middle = rng.pick(female ? FEMALE : MALE);
  while (middle === first) middle = rng.pick(female ? FEMALE : MALE);
  const last = rng.pick(SURNAMES);
  const year = rng.int(1976, 2001);
  const month = String(rng.int(1, 12)).padStart(2, '0');
  const day = String(rng.int(1, 28)).padStart(2, '0');
  return {
    full_name: `${first} ${middle} ${last}`,
    first_name: first,
    middle_name: middle,
    last_name: last,
    bvn: `22${rng.digits(9)}`,
    email: `${first}.${last}${rng.int(1, 99)}@example.com`.toLowerCase(),
    phone: `${rng.pick(['0803', '0806', '0813', '0816', '0703', '0706', '0810', '0812', '0902', '0905', '0802', '0808', '0805', '0807'])}${rng.digits(7)}`,
    gender: female ? 'Female' : 'Male',
    dob: `${year}-${month}-${day}`,
    address_line_1: `${rng.int(1, 120)} ${rng.pick(STREETS)}`,
    marital_status: rng.chance(0.5) ? 'Married' : 'Single',
  };
}

/**
 * The generated identity with a given holder's name (and e-mail) instead of the invented one: "First [Middle…] Last"
 * (a single word is a first name with no surname). BVN, phone, date of birth and address stay generated.
 */
export function withHolder(identity: PersonaIdentity, holder: { fullName: string; email?: string | null }): PersonaIdentity {
  const words = holder.fullName.trim().split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) throw new RangeError('holder.fullName must contain a name');
  const first = words[0];
  const last = words.length > 1 ? words[words.length - 1] : '';
  const middle = words.slice(1, -1).join(' ');
  return {
    ...identity,
    full_name: words.join(' '),
    first_name: first,
    middle_name: middle,
    last_name: last,
    email: holder.email?.trim() || identity.email,
  };
}

/** Banks print the holder as "SURNAME FIRST MIDDLE". */
export function bankHolderName(identity: PersonaIdentity): string {
  return joinNames(identity.last_name, identity.first_name, identity.middle_name);
}

function joinNames(...parts: string[]): string {
  return parts
    .filter((p) => p.length > 0)
    .join(' ')
    .toUpperCase();
}

/** How other banks' narrations spell the same person: reordered, middle name as an initial. */
export function narrationNameVariant(identity: PersonaIdentity, rng: Rng): string {
  const first = identity.first_name;
  const last = identity.last_name;
  const initial = identity.middle_name.slice(0, 1);
  return rng.pick([joinNames(first, last, initial), joinNames(last, first), joinNames(last, first, initial), joinNames(first, initial, last)]);
}

/**
 * Draws strangers' names; never the holder's surname, so a stranger cannot look like a self-transfer. The draws
 * depend on the invented identity only (`invented`), so holding the account in another name (`holder`) changes no
 * other row of a seeded persona; a drawn surname equal to the holder's is replaced by the next one, without a draw.
 */
export function strangerNames(invented: PersonaIdentity, holder: PersonaIdentity = invented): (rng: Rng) => string {
  const taken = (s: string): boolean => s === invented.last_name || s.toUpperCase() === holder.last_name.toUpperCase();
  return (rng) => {
    let surname = rng.pick(SURNAMES);
    while (surname === invented.last_name) surname = rng.pick(SURNAMES);
    for (let i = SURNAMES.indexOf(surname), n = 0; taken(surname) && n < SURNAMES.length; n++) surname = SURNAMES[++i % SURNAMES.length];
    return `${rng.pick([...MALE, ...FEMALE])} ${surname}`.toUpperCase();
  };
}

export function makeAccount(
  rng: Rng,
  identity: PersonaIdentity,
  bank: Bank,
  opts: { accountId?: string; mfa: boolean; balanceMinor: number },
): MonoV2AccountDetails {
  return {
    account: {
      id: opts.accountId ?? rng.hex(24),
      name: bankHolderName(identity),
      account_number: rng.digits(10),
      currency: 'NGN',
      balance: opts.balanceMinor,
      type: rng.pick(['SAVINGS_ACCOUNT', 'Tier 3 Savings Account', 'CURRENT_ACCOUNT', 'Digital Savings Account']),
      bvn: identity.bvn.slice(-4),
      institution: { name: bank.name, bank_code: bank.code, type: 'PERSONAL_BANKING' },
    },
    meta: {
      data_status: 'AVAILABLE',
      auth_method: opts.mfa ? 'internet_banking' : 'mobile_banking',
      retrieved_data: ['identity', 'balance', 'transactions'],
    },
  };
}
