import { SetMetadata } from '@nestjs/common';
import type { Role } from '../config/app-config.js';

export const ROLES_KEY = 'roles';
export const PUBLIC_KEY = 'public';

/** Roles allowed on a route or controller. Routes without @Roles or @Public are admin-only. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
/** Outside API-key auth (health, Mono webhooks, the sandbox hosted-link pages). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
