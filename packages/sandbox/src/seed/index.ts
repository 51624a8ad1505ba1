export { buildCrmSeed, defaultCrmSeed, defaultRepDirectory, FIXTURE_IDS, type RepDirectoryEntry } from './crm-seed.ts';
