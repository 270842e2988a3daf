import { CoreSchema1763715600000 } from './1763715600000-CoreSchema.js';

/** Every migration, in order. Listed explicitly (no globs) so bundlers, ESM and the CLI agree. */
export const migrations = [CoreSchema1763715600000];
