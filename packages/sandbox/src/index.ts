export { startSandbox, type Sandbox } from './launcher/index.ts';
