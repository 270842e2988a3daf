import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** `Cache-Control: no-store` on every response except the public API documentation (/docs). */
export function noStore(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.path !== '/docs' && !req.path.startsWith('/docs/') && !req.path.startsWith('/docs-')) res.setHeader('Cache-Control', 'no-store');
    next();
  };
}
