import type { TelnyxMessageMode, TelnyxModes } from './sim-types.ts';

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

/**
 * Every value of TelnyxModes.messages. Not in the matrix above: they are about texts, not call flows, and
 * the live check detects call behaviour only. 'delivered' is the default.
 */
export const TELNYX_MESSAGE_MODES = [
  'delivered',
  'delivery_failed',
  'opted_out',
  'server_error_after_accept',
  'timeout_after_accept',
] as const satisfies readonly TelnyxMessageMode[];
