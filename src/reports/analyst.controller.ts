import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { authenticateThrottled, type AuthenticatedRequest } from '../auth/api-key.guard.js';
import { AnalystSessionsService } from '../auth/analyst-sessions.service.js';
import { ApiKeysService, type Principal } from '../auth/api-keys.service.js';
import { AuthThrottle } from '../security/auth-throttle.js';
import { Public, Roles } from '../auth/roles.decorator.js';
import { AppConfig } from '../config/app-config.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AnalystNotesService } from './analyst-notes.service.js';
import { AnalystOverridesService } from './analyst-overrides.service.js';
import { AnalystPageFilter } from './analyst-page.filter.js';
import { clearedSessionCookie, csrfFor, csrfMatches, sessionCookie } from './analyst-session.js';
import {
  AnalystBorrowerQueryDto,
  BorrowerListQueryDto,
  CsrfFormDto,
  DrillDownQueryDto,
  LoginFormDto,
  NoteFormDto,
  NotIncomeFormDto,
  PortfolioQueryDto,
  RecategoriseFormDto,
} from './dto/report-query.dto.js';
import { ReportsService } from './reports.service.js';
import { BacktestsService } from '../backtests/backtests.service.js';
import { pageView } from '../backtests/backtests.controller.js';
import { backtestListPage, backtestPage } from './views/backtest-pages.js';
import { uuidParam } from '../common/http/uuid-param.js';
import { ANALYST_CSS } from './views/layout.js';
import { borrowerListPage, borrowerPage, drillDownPage, loginPage, portfolioPage } from './views/pages.js';

const NOTICES: Record<string, string> = {
  recategorised: 'Transaction recategorised; the decision was re-run with your override. This is the new decision.',
  not_income: 'Income stream marked as not income; the decision was re-run with your override. This is the new decision.',
  note: 'Note saved as a new version; earlier versions stay listed below it.',
};

type User = { name: string; role: string; csrf: string };

/** Server-rendered analyst pages (no client framework, no inline script). Roles analyst and admin. */
@ApiExcludeController()
@UseFilters(AnalystPageFilter)
@Roles('analyst', 'admin')
@Controller('analyst')
export class AnalystController {
  constructor(
    private readonly reports: ReportsService,
    private readonly overrides: AnalystOverridesService,
    private readonly keys: ApiKeysService,
    private readonly config: AppConfig,
    private readonly throttle: AuthThrottle,
    private readonly sessions: AnalystSessionsService,
    private readonly notes: AnalystNotesService,
    private readonly backtests: BacktestsService,
  ) {}

  @Public()
  @Get('assets/analyst.css')
  css(@Res() res: Response): void {
    res.type('text/css; charset=utf-8').setHeader('Cache-Control', 'public, max-age=300');
    res.send(ANALYST_CSS);
  }

  @Public()
  @Get('login')
  loginForm(@Res() res: Response): void {
    this.page(res, loginPage());
  }

  @Public()
  @Post('login')
  @HttpCode(303)
  async login(@Body() form: LoginFormDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    // Key guessing through the login form is throttled like the Authorization header (AuthThrottle).
    let principal: Principal;
    try {
      principal = await authenticateThrottled(this.keys, this.throttle, req, form.apiKey.trim(), res);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'UNAUTHENTICATED') {
        this.page(res, loginPage('That API key is not valid.'), 401);
        return;
      }
      throw err;
    }
    if (principal.role !== 'analyst' && principal.role !== 'admin') {
      this.page(res, loginPage(`A ${principal.role} key may not use the analyst pages: use an analyst or admin key.`), 403);
      return;
    }
    const { token } = await this.sessions.open(principal);
    res.setHeader('Set-Cookie', sessionCookie(token, this.secure()));
    res.redirect(303, '/analyst');
  }

  @Post('logout')
  async logout(@Body() form: CsrfFormDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    this.checkCsrf(req, form.csrf);
    const session = (req as AuthenticatedRequest).analystSession;
    if (session) await this.sessions.revoke(session.id);
    res.setHeader('Set-Cookie', clearedSessionCookie(this.secure()));
    res.redirect(303, '/analyst/login');
  }

  @Get()
  async list(@Query() q: BorrowerListQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const list = await this.reports.listBorrowers(q.q ?? '', q.page ?? 1);
    this.page(res, borrowerListPage(this.user(req), list, q.q ?? ''));
  }

  @Get('portfolio')
  async portfolio(@Query() q: PortfolioQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    this.page(res, portfolioPage(await this.reports.portfolio({ from: q.from, to: q.to }), this.user(req)));
  }

  @Get('backtests')
  async backtestList(@Req() req: Request, @Res() res: Response): Promise<void> {
    const runs = await this.backtests.list(50);
    this.page(
      res,
      backtestListPage(
        runs.map((r) => ({
          id: r.id,
          status: r.status,
          candidatePolicy: r.candidatePolicy,
          baselinePolicy: r.baselinePolicy,
          createdAt: r.createdAt,
          decisions: typeof r.result?.decisions === 'number' ? r.result.decisions : null,
          flipped: typeof r.result?.flipped === 'number' ? r.result.flipped : null,
        })),
        this.user(req),
      ),
    );
  }

  @Get('backtests/:id')
  async backtest(@Param('id', uuidParam('id')) id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    this.page(res, backtestPage(pageView(await this.backtests.get(id)), this.user(req)));
  }

  @Get('borrowers/:id')
  async borrower(@Param('id') id: string, @Query() q: AnalystBorrowerQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const report = await this.reports.borrowerReport(id, { decisionId: q.decisionId });
    this.page(res, borrowerPage(report, { user: this.user(req), notice: q.done ? NOTICES[q.done] : null }));
  }

  @Get('borrowers/:id/transactions')
  async transactions(@Param('id') id: string, @Query() q: DrillDownQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    const dd = await this.reports.drillDown(id, q);
    this.page(res, drillDownPage(dd, this.user(req)));
  }

  @Post('borrowers/:id/transactions/:transactionId/category')
  async recategorise(
    @Param('id') id: string,
    @Param('transactionId') transactionId: string,
    @Body() form: RecategoriseFormDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    this.checkCsrf(req, form.csrf);
    const outcome = await this.overrides.recategorise(id, transactionId, form.category, form.reason, this.actor(req));
    res.redirect(303, `/analyst/borrowers/${encodeURIComponent(id)}?decisionId=${outcome.decisionId}&done=recategorised`);
  }

  @Post('borrowers/:id/streams/:key/not-income')
  async notIncome(
    @Param('id') id: string,
    @Param('key') key: string,
    @Body() form: NotIncomeFormDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    this.checkCsrf(req, form.csrf);
    const outcome = await this.overrides.markStreamNotIncome(
      id,
      form.decisionId,
      key,
      form.kind ?? 'other_non_income',
      form.reason,
      this.actor(req),
    );
    res.redirect(303, `/analyst/borrowers/${encodeURIComponent(id)}?decisionId=${outcome.decisionId}&done=not_income`);
  }

  @Post('borrowers/:id/decisions/:decisionId/notes')
  async note(
    @Param('id') id: string,
    @Param('decisionId') decisionId: string,
    @Body() form: NoteFormDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    this.checkCsrf(req, form.csrf);
    await this.notes.save(id, decisionId, form.body, this.actor(req));
    res.redirect(303, `/analyst/borrowers/${encodeURIComponent(id)}?decisionId=${encodeURIComponent(decisionId)}&done=note`);
  }

  private page(res: Response, body: string, status = 200): void {
    res.status(status).type('text/html; charset=utf-8').setHeader('Cache-Control', 'no-store');
    res.send(body);
  }

  private user(req: Request): User {
    const principal = (req as AuthenticatedRequest).principal!;
    return { name: principal.name, role: principal.role, csrf: csrfFor(req) };
  }

  /** Who changed it, as recorded in revisions, the audit log and the new decision. */
  private actor(req: Request): string {
    const principal = (req as AuthenticatedRequest).principal!;
    return `analyst:${principal.name}`;
  }

  private checkCsrf(req: Request, token: string): void {
    if (!csrfMatches(req, token))
      throw new DomainError('FORBIDDEN', 'The form’s security token is missing or stale: reload the page and try again.');
  }

  private secure(): boolean {
    return this.config.publicBaseUrl.startsWith('https://');
  }
}
