// `npm run live-check`: one real call through your Telnyx account that records how Telnyx behaves where its
// docs leave a choice open, and names the matching simulator modes. The logic lives in packages/sandbox.
import { liveCheckCli } from '../packages/sandbox/src/live-check/index.ts';

process.exitCode = await liveCheckCli(process.argv.slice(2), process.env, (line) => console.log(line));
