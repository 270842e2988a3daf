import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ApiKeyEntity } from '../src/auth/api-key.entity.js';
import { hashKey } from '../src/auth/api-keys.service.js';
import { AppConfig, generateKey, ROLES, type Role } from '../src/config/app-config.js';
import { dataSourceOptions } from '../src/database/data-source-options.js';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';

/**
 * `npm run api-key -- create --role admin --name ops` prints a new key once (only its hash is stored);
 * `npm run api-key -- revoke --id <uuid>`; `npm run api-key -- list`.
 */
async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const arg = (name: string) => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const config = AppConfig.fromEnvironment();
  const embedded = config.database.url ? null : await startEmbeddedPostgres({ dataDir: config.database.dataDir, port: config.database.embeddedPort, attach: true });
  const ds = new DataSource(dataSourceOptions(config.database.url ?? embedded!.url, { poolSize: 1, applicationName: 'api-key-cli' }));
  try {
    await ds.initialize();
    await ds.runMigrations();
    const repo = ds.getRepository(ApiKeyEntity);
    if (command === 'create') {
      const role = arg('role') as Role | undefined;
      if (!role || !ROLES.includes(role)) throw new Error(`--role must be one of ${ROLES.join(', ')}`);
      const key = `${role.slice(0, 2)}_${generateKey()}`;
      await repo.insert({ id: randomUUID(), name: arg('name') ?? `${role}-key`, role, keyHash: hashKey(key), keyPrefix: key.slice(0, 8) });
      process.stdout.write(`${key}\n`);
    } else if (command === 'revoke') {
      const id = arg('id');
      if (!id) throw new Error('--id is required');
      const res = await repo.update({ id }, { revokedAt: new Date() });
      process.stdout.write(res.affected ? `revoked ${id}\n` : `no key ${id}\n`);
    } else if (command === 'list') {
      for (const k of await repo.find({ order: { createdAt: 'ASC' } })) {
        process.stdout.write(`${k.id}  ${k.role.padEnd(8)} ${k.keyPrefix}…  ${k.name}${k.revokedAt ? '  (revoked)' : ''}\n`);
      }
    } else {
      throw new Error('usage: api-key create --role frontend|analyst|admin [--name NAME] | revoke --id ID | list');
    }
  } finally {
    await ds.destroy().catch(() => undefined);
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
