import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { AppConfig, generateKey, type Role } from '../config/app-config.js';
import { ApiKeyEntity } from './api-key.entity.js';

export interface Principal {
  apiKeyId: string;
  name: string;
  role: Role;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** API keys are stored as SHA-256 hashes; plain keys exist only in the caller's hands (and API_KEYS). */
@Injectable()
export class ApiKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeysService.name);
  /** Short-lived cache of key lookups: keeps auth off the database on hot paths; revocation applies within CACHE_TTL_MS. */
  private readonly cache = new Map<string, { principal: Principal | null; expiresAt: number }>();
  static readonly CACHE_TTL_MS = 5_000;

  constructor(
    @InjectRepository(ApiKeyEntity) private readonly keys: Repository<ApiKeyEntity>,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const seed of this.config.seedApiKeys) {
      await this.ensureKey(seed.role, seed.key, `seed-${seed.role}`);
    }
  }

  /** Idempotently stores a known key (used for API_KEYS seeding and tests). */
  async ensureKey(role: Role, key: string, name: string): Promise<ApiKeyEntity> {
    const keyHash = hashKey(key);
    await this.keys
      .createQueryBuilder()
      .insert()
      .values({ name, role, keyHash, keyPrefix: key.slice(0, 8) })
      .orIgnore()
      .execute();
    return this.keys.findOneByOrFail({ keyHash });
  }

  async create(role: Role, name: string): Promise<{ key: string; entity: ApiKeyEntity }> {
    const key = `${role.slice(0, 2)}_${generateKey()}`;
    return { key, entity: await this.ensureKey(role, key, name) };
  }

  async countActive(): Promise<number> {
    return this.keys.countBy({ revokedAt: IsNull() });
  }

  async revoke(id: string): Promise<boolean> {
    this.cache.clear();
    const res = await this.keys.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    return (res.affected ?? 0) > 0;
  }

  async authenticate(key: string): Promise<Principal | null> {
    const keyHash = hashKey(key);
    const now = Date.now();
    const cached = this.cache.get(keyHash);
    if (cached && cached.expiresAt > now) return cached.principal;
    const principal = await this.lookup(keyHash);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(keyHash, { principal, expiresAt: now + ApiKeysService.CACHE_TTL_MS });
    return principal;
  }

  private async lookup(keyHash: string): Promise<Principal | null> {
    const found = await this.keys.findOneBy({ keyHash, revokedAt: IsNull() });
    // Compare again in constant time: the lookup is by hash, this guards against any collation surprise.
    if (!found || !timingSafeEqual(Buffer.from(found.keyHash), Buffer.from(keyHash))) return null;
    // Last use, for operators deciding which keys to revoke: written on a cache miss (at most every CACHE_TTL_MS per
    // key per process) and at minute resolution, so it costs no write on the hot path.
    await this.keys
      .createQueryBuilder()
      .update()
      .set({ lastUsedAt: () => 'now()' })
      .where('id = :id AND (last_used_at IS NULL OR last_used_at < now() - interval \'1 minute\')', { id: found.id })
      .execute();
    return { apiKeyId: found.id, name: found.name, role: found.role };
  }

  log(message: string): void {
    this.logger.log(message);
  }
}
