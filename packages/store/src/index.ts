export * from './alert-types.ts';
export { newId } from './ids.ts';
export {
  createAlertsRepository,
  alertChangesChannel,
  type AlertsRepository,
  type AlertChange,
  type StoredSnapshot,
  type RecordOutcome,
} from './alerts-repository.ts';
export { deleteKeysWithPrefix } from './delete-prefix.ts';
export { luaScript, runScript, namedScript, runNamedScript, type LuaScript, type NamedScript } from './lua-script.ts';
