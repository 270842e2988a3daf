import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';

/** The module-direction rules in eslint.config: a lower module importing a higher one is a lint error. */
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImportMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('module boundaries (eslint.config)', () => {
  it.each([
    ['src/mono/sync.service.ts', "import { ScoringService } from '../scoring/scoring.service.js';", 'lowest domain module'],
    ['src/mono/sync.service.ts', "import { SandboxBank } from '../sandbox/sandbox-bank.js';", 'never import the sandbox'],
    ['src/ingestion/ingestion.service.ts', "import { ApplicationsService } from '../applications/applications.service.js';", 'below scoring'],
    ['src/scoring/scoring.service.ts', "import { ReportsService } from '../reports/reports.service.js';", 'below applications'],
    ['src/scoring/shadow-policies.ts', "import { BacktestsService } from '../backtests/backtests.service.js';", 'below applications'],
    ['src/mono/sync.service.ts', "import { ConsentGateService } from '../consents/consent-gate.service.js';", 'lowest domain module'],
    ['src/ingestion/ingestion.events.ts', "import { ConsentsService } from '../consents/consents.service.js';", 'below scoring'],
    ['src/mono/wire/mono-transaction.ts', "import { DataSource } from 'typeorm';", 'pure'],
    ['src/loans/loan-ledger.ts', "import { Injectable } from '@nestjs/common';", 'pure'],
    ['src/scoring/engine/underwrite.ts', "import { generatePersona } from '../../sandbox/personas/index.js';", 'never imports the sandbox'],
  ])('should reject %s importing upward: %s', async (filePath, code, expected) => {
    const messages = await restrictedImportMessages(filePath, `${code}\nexport const used = [];\n`);
    expect(messages.join('\n')).toContain(expected);
  });

  it('should allow the documented direction (scoring importing ingestion)', async () => {
    const messages = await restrictedImportMessages(
      'src/scoring/scoring.service.ts',
      "import { BorrowerDataService } from '../ingestion/borrower-data.service.js';\nexport const used = [BorrowerDataService];\n",
    );
    expect(messages).toEqual([]);
  });

  it('should allow consents importing mono (it implements the ConsentGate port)', async () => {
    const messages = await restrictedImportMessages(
      'src/consents/consent-gate.service.ts',
      "import { CONSENT_GATE } from '../mono/consent-gate.js';\nexport const used = [CONSENT_GATE];\n",
    );
    expect(messages).toEqual([]);
  });
});
