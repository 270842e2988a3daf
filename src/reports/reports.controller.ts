import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../borrowers/dto/api-docs.js';
import { uuidParam } from '../common/http/uuid-param.js';
import type { Request, Response } from 'express';
import type { AuthenticatedRequest } from '../auth/api-key.guard.js';
import { Roles } from '../auth/roles.decorator.js';
import { AppConfig } from '../config/app-config.js';
import { csrfFor } from './analyst-session.js';
import { BorrowerReportQueryDto, PortfolioQueryDto } from './dto/report-query.dto.js';
import { renderBorrowerPdf } from './pdf.js';
import { ReportsService } from './reports.service.js';
import { XLSX_CONTENT_TYPE } from './xlsx.js';
import { borrowerPage, portfolioPage } from './views/pages.js';

const BORROWER_PARAM = { name: 'id', description: 'Borrower id (UUID)', format: 'uuid', example: '3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21' };
const TEXT = { schema: { type: 'string' } } as const;
const BINARY = { schema: { type: 'string', format: 'binary' } } as const;
const REPORT_JSON = (what: string) =>
  ({ schema: { type: 'object', additionalProperties: true, description: `${what} (docs/reports.md)` } }) as const;
const NO_DECISION = { status: 404, code: 'NOT_FOUND', message: 'Borrower 3f0c2a8e-5f1b-4d0a-8a57-1d2b9f1e4c21 was not found' };

function userOf(req: Request): { name: string; role: string; csrf: string } {
  const principal = (req as AuthenticatedRequest).principal!;
  return { name: principal.name, role: principal.role, csrf: csrfFor(req) };
}

function attachmentName(prefix: string, id: string, ext: string): string {
  return `attachment; filename="${prefix}-${id.replace(/[^A-Za-z0-9-]/g, '')}.${ext}"`;
}

/** Analyst reports over the API: JSON by default, or HTML / PDF / CSV with `format`. */
@ApiTags('reports')
@Roles('analyst', 'admin')
@Controller('v1/reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly config: AppConfig,
  ) {}

  @Get('borrowers/:id')
  @ApiOperation({
    summary: 'A borrower’s underwriting report',
    description:
      'Identity (masked), linked accounts with freshness and coverage, the decision (latest or `decisionId`) with its ranked reasons and counterfactuals, income streams, monthly cash flow, the daily balance line, obligations by lender, flags and the decision history with what changed. `format=html|pdf` renders it; `format=xlsx` gives it as an Excel workbook (Summary, Months, Categories, Counterparties, Streams, Transactions); `format=csv` gives the borrower’s transactions.',
  })
  @ApiParam(BORROWER_PARAM)
  @ApiOkResponse({
    description: 'The report in the requested `format`; pdf, csv and xlsx come as attachments (Content-Disposition)',
    content: {
      'application/json': REPORT_JSON('The borrower report model'),
      'text/html': TEXT,
      'application/pdf': BINARY,
      'text/csv': TEXT,
      [XLSX_CONTENT_TYPE]: BINARY,
    },
  })
  @ApiErrors(NO_DECISION)
  async borrower(
    @Param('id', uuidParam('id')) id: string,
    @Query() q: BorrowerReportQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const format = q.format ?? 'json';
    res.setHeader('Cache-Control', 'no-store');
    if (format === 'csv') {
      const csv = await this.reports.transactionsCsv(id);
      res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', attachmentName('transactions', id, 'csv'));
      res.send(csv);
      return;
    }
    if (format === 'xlsx') {
      const xlsx = await this.reports.borrowerWorkbook(id, { decisionId: q.decisionId });
      res.type(XLSX_CONTENT_TYPE).setHeader('Content-Disposition', attachmentName('borrower-report', id, 'xlsx'));
      res.send(xlsx);
      return;
    }
    const report = await this.reports.borrowerReport(id, { decisionId: q.decisionId });
    if (format === 'pdf') {
      const pdf = await renderBorrowerPdf(report, { compress: this.config.nodeEnv !== 'test' });
      res.type('application/pdf').setHeader('Content-Disposition', attachmentName('borrower-report', id, 'pdf'));
      res.send(pdf);
      return;
    }
    if (format === 'html') {
      res.type('text/html; charset=utf-8').send(borrowerPage(report, { user: userOf(req), readOnly: true }));
      return;
    }
    res.json(report);
  }

  @Get('borrowers/:id/transactions.csv')
  @ApiOperation({ summary: 'The borrower’s active transactions as CSV (RFC 4180; kobo and naira columns)' })
  @ApiParam(BORROWER_PARAM)
  @ApiOkResponse({ description: 'One row per active transaction (attachment)', content: { 'text/csv': TEXT } })
  @ApiErrors(NO_DECISION)
  async transactionsCsv(@Param('id', uuidParam('id')) id: string, @Res() res: Response): Promise<void> {
    const csv = await this.reports.transactionsCsv(id);
    res.setHeader('Cache-Control', 'no-store');
    res
      .type('text/csv; charset=utf-8')
      .setHeader('Content-Disposition', attachmentName('transactions', id, 'csv'))
      .send(csv);
  }

  @Get('portfolio')
  @ApiOperation({
    summary: 'The portfolio report',
    description:
      'Decisions over time by outcome, limit distribution, re-underwriting outcomes per cycle, the reauth backlog, data freshness, sync failures and top reason codes for `from`..`to` (Lagos dates, inclusive).',
  })
  @ApiOkResponse({
    description: 'The portfolio report in the requested `format`',
    content: { 'application/json': REPORT_JSON('The portfolio report model'), 'text/html': TEXT, 'text/csv': TEXT },
  })
  @ApiErrors({
    status: 400,
    code: 'VALIDATION_FAILED',
    message: 'Invalid request: from',
    details: { fields: [{ field: 'from', errors: ['from must be a valid date'] }] },
  })
  async portfolio(@Query() q: PortfolioQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const report = await this.reports.portfolio({ from: q.from, to: q.to });
    res.setHeader('Cache-Control', 'no-store');
    if (q.format === 'csv') {
      res
        .type('text/csv; charset=utf-8')
        .setHeader('Content-Disposition', `attachment; filename="portfolio-${report.from}-${report.to}.csv"`)
        .send(this.reports.portfolioCsv(report));
      return;
    }
    if (q.format === 'html') {
      res.type('text/html; charset=utf-8').send(portfolioPage(report, userOf(req), { standalone: true }));
      return;
    }
    res.json(report);
  }
}
