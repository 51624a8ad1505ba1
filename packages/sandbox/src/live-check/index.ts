export { runLiveCheck, SCRIPT } from './run-live-check.ts';
export { detectModes, matchingModes, describeReport, PROBED_DEFAULTS } from './detect-modes.ts';
export { liveCheckTester } from './live-check-persona.ts';
export { runLiveCheckAgainstSimulator } from './simulated-live-check.ts';
export type { LiveCheckOptions, LiveCheckReport, ProbedModes, SeenEvent, CommandAnswer } from './live-check-types.ts';
export { liveCheckCli } from './live-check-cli.ts';
