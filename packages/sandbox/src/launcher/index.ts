export { formatLogLine } from './log-format.ts';
export { startSandbox, SANDBOX_MERGE_SIGNATURE_KEY, type Sandbox } from './start-sandbox.ts';
