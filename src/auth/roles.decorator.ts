import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ROLES, type Role } from '../config/app-config.js';

export const ROLES_KEY = 'roles';
export const PUBLIC_KEY = 'public';

const ERROR_EXAMPLE = (statusCode: number, code: string, message: string) => ({ schema: { example: { statusCode, code, message } } });

/**
 * Roles allowed on a route or controller. Routes without @Roles or @Public are admin-only.
 * The roles are also published in the OpenAPI document as `x-roles` (and drive the role-boundary tests).
 */
export const Roles = (...roles: Role[]) => {
  const outsider = ROLES.find((r) => !roles.includes(r));
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiExtension('x-roles', roles),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({
      description: 'Missing, invalid or revoked API key',
      ...ERROR_EXAMPLE(401, 'UNAUTHENTICATED', 'Invalid or revoked API key'),
    }),
    ApiForbiddenResponse({
      description: `Allowed roles: ${roles.join(', ')}`,
      ...ERROR_EXAMPLE(403, 'FORBIDDEN', `Role ${outsider ?? 'other'} may not call this route (allowed: ${roles.join(', ')})`),
    }),
  );
};
/** Outside API-key auth (health, Mono webhooks, the sandbox hosted-link pages). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
