import type { FulfilmentView } from '../loyalty/fulfilment/fulfilment.js';

const hello = (v: FulfilmentView) => `Hello${v.memberName ? ` ${v.memberName}` : ''},\n\n`;

/** The member's email when the reward shipped. */
export function rewardShippedEmail(v: FulfilmentView) {
  return {
    to: v.memberEmail!,
    subject: `Your reward is on its way: ${v.rewardName}`,
    text: `${hello(v)}${v.rewardName} has shipped. ${v.points} points were spent on it.\n\nTessera`,
  };
}

/** The member's email when the reward could not be delivered. */
export function rewardCancelledEmail(v: FulfilmentView) {
  return {
    to: v.memberEmail!,
    subject: `We could not deliver ${v.rewardName}: your ${v.points} points are back`,
    text: `${hello(v)}We are sorry: ${v.rewardName} could not be delivered (${v.outcome ?? 'it was cancelled'}). The ${v.points} points are back in your balance.\n\nTessera`,
  };
}
