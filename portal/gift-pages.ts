import { textField } from './form-fields.js';
import { escapeHtml, memberPage, points } from './page-layout.js';

export interface GiftForm {
  to?: string;
  points?: string;
  errors?: { to?: string; points?: string };
}

/** Where a member gives points: to whom (an address that member proved) and how many, within the program's limits. */
export function giftPage(
  allowance: { perGift: number; perDay: number; sentToday: number; available: number },
  form: GiftForm = {},
): string {
  return memberPage(
    'Give points',
    `<h1>Give points</h1>
<p>You have ${points(allowance.available)} points available. You can give up to ${points(allowance.perGift)} points per gift and
${points(allowance.perDay)} a day (${points(allowance.sentToday)} given today).</p>
<form method="post" action="/member/gift" novalidate>
${textField({
  id: 'to',
  label: 'Email or mobile number of the member',
  value: form.to,
  error: form.errors?.to,
  hint: 'The address they use for Tessera. A mobile number starts with + and the country code.',
  attributes: 'autocomplete="off" spellcheck="false"',
})}
${textField({ id: 'points', label: 'Points', value: form.points, error: form.errors?.points, attributes: 'inputmode="numeric" autocomplete="off"' })}
<button type="submit">Continue</button>
</form>`,
    { signedIn: true },
  );
}

/** The confirmation step: the recipient as the giver may see them, and the button that gives (once). */
export function giftConfirmPage(gift: { to: string; points: number; recipient: string; key: string }): string {
  return memberPage(
    'Confirm your gift',
    `<h1>Give ${points(gift.points)} points to ${escapeHtml(gift.recipient)}?</h1>
<p>They receive them at once, with the date they expire. A gift cannot be taken back.</p>
<form method="post" action="/member/gift/confirm">
<input type="hidden" name="to" value="${escapeHtml(gift.to)}">
<input type="hidden" name="points" value="${gift.points}">
<input type="hidden" name="key" value="${escapeHtml(gift.key)}">
<button type="submit">Give ${points(gift.points)} points</button>
</form>
<p><a href="/member/gift">Change it</a></p>`,
    { signedIn: true },
  );
}

/** A gift made. */
export function giftSentPage(gift: { points: number; to: string }): string {
  return memberPage(
    'Gift sent',
    `<h1>Gift sent</h1><p>You gave ${points(gift.points)} points to ${escapeHtml(gift.to)}.</p>
<p><a href="/member/history">Your history</a> · <a href="/member/gift">Give more</a></p>`,
    { signedIn: true },
  );
}
