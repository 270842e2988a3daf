import { Injectable } from '@nestjs/common';
import type { ExposureInput } from '../scoring/engine/index.js';
import { LoansRepository } from './loans.repository.js';

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
}
