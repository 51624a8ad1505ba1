import type { TelnyxModes } from './sim-types.ts';

/**
 * Named simulator modes, one unconfirmed Telnyx behaviour each, so a test iterating them names the mode it
 * ran under. 'default' is the simulator's earlier behaviour. dropWebhooks / failCommands are per-test
 * scenarios (they need an event or command to aim at), so they are not in the matrix.
 */
export const TELNYX_MODE_MATRIX = {
  default: {},
  'leg-wide-client-state': { clientStateEcho: 'leg' },
  'dtmf-in-gathers-only': { dtmfOutsideGather: false },
  'strict-stops': { strictStops: true },
  'dial-answer-without-ids': { duplicateDialAnswer: 'without_ids' },
  'charset-webhooks': { webhookContentType: 'application/json; charset=utf-8' },
  'hangup-overtakes-answer': { hangupOvertakesAnswer: true },
  'amd-keeps-prompts': { amdCancelsPrompts: false },
} satisfies Record<string, TelnyxModes>;

export type TelnyxModeName = keyof typeof TELNYX_MODE_MATRIX;
