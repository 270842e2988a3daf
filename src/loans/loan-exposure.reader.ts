import { Injectable } from '@nestjs/common';
import type { ExposureInput, OwnLoanInput } from '../scoring/engine/index.js';
import { ownLoanInputs } from './loan-history.js';
import { LoansRepository } from './loans.repository.js';
import { LOAN_DEFAULT_DPD } from './loan-constants.js';

/**
 * What scoring asks of the loan book before it runs the pure engine: the borrower's open loans and their outstanding
 * principal, as an engine input (`EngineInput.exposure`). Undefined when there is no open loan, so decisions of
 * borrowers without loans keep the inputs (and hash) they had before the loan book.
 */
@Injectable()
export class LoanExposureReader {
  constructor(private readonly repo: LoansRepository) {}

  async exposureInput(borrowerId: string): Promise<ExposureInput | undefined> {
    const e = await this.repo.exposure(borrowerId);
    return e.openLoans > 0 ? { outstandingPrincipalMinor: e.outstandingPrincipalMinor, openLoans: e.openLoans } : undefined;
  }

  /**
   * Every loan the lender made to the borrower (any status) as the engine's `ownLoans` input: status and DPD at
   * `asOf`, and the day each instalment was paid in full. Empty when there is none.
   */
  async ownLoans(borrowerId: string, asOf: Date): Promise<OwnLoanInput[]> {
    const loans = await this.repo.findAggregates({ borrowerId });
    return ownLoanInputs(
      loans.map((a) => ({ ...a.loan, instalments: a.instalments, repayments: a.repayments })),
      asOf,
      LOAN_DEFAULT_DPD,
    );
  }
}
