/** Seeded, deterministic Nigerian bank-data personas with ground-truth labels (underwriting-research Part 5). */
export { DEFAULT_SEEDS, GENERATOR_VERSION, generatePersona } from './personas.js';
export { isBusinessDay, nigerianPublicHolidays, previousBusinessDay } from './calendar.js';
export { Rng } from './prng.js';
export * from './types.js';
export { measureCategoriser, personaExport, type CategoryMetrics, type PersonaAccuracy } from './accuracy.js';
