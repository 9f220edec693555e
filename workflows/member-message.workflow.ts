import { proxyActivities, sleep } from '@temporalio/workflow';
import type { MemberMessageActivities } from './activities/member-message-activities.js';
import { emailActivityOptions } from './email-retry.js';

const { deliverMemberMessage } = proxyActivities<MemberMessageActivities>(emailActivityOptions);

export interface MemberMessageInput {
  messageId: string;
  /** Held until then (ISO 8601): a civil hour of the member's day. */
  notBefore?: string;
}

/** A member message queued by a commit (a welcome, a birthday): sent once its time comes, as the member then allows. */
export async function memberMessageWorkflow({ messageId, notBefore }: MemberMessageInput): Promise<string> {
  const wait = notBefore ? new Date(notBefore).getTime() - Date.now() : 0;
  if (wait > 0) await sleep(wait);
  return deliverMemberMessage(messageId);
}
