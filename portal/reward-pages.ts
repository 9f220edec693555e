import { deliveryCountries, deliveryAddressLine, type DeliveryAddressErrors } from '../loyalty/delivery-address.js';
import type { MemberRedemption } from '../loyalty/member-rewards.js';
import type { CatalogFilters, CatalogReward } from '../loyalty/reward-catalog.js';
import { selectField, textField } from './form-fields.js';
import { day, escapeHtml, memberPage, points } from './page-layout.js';

/** A reward's picture, when it has one the page may show (staff give an https address). */
function picture(reward: { imageUrl: string | null }): string {
  const url = reward.imageUrl;
  if (!url || !/^(https:\/\/|data:image\/)/.test(url)) return '';
  // Decorative: the reward's name is beside it.
  return `<img src="${escapeHtml(url)}" alt="" width="320" height="180" loading="lazy">`;
}

const rewardPath = (code: string) => `/member/rewards/${encodeURIComponent(code)}`;

/** The catalog: pictures, prices and categories, filtered by category and by what the member can afford now. */
export function catalogPage(
  catalog: { available: number; categories: string[]; rewards: CatalogReward[] },
  filters: CatalogFilters,
): string {
  const categories: [string, string][] = [['', 'All categories'], ...catalog.categories.map((c): [string, string] => [c, c])];
  const cards = catalog.rewards
    .map((r) => {
      const notes = [
        ...(r.category ? [escapeHtml(r.category)] : []),
        r.needsFulfilment ? 'Shipped to you' : 'A code, at once',
        ...(r.inStock ? [] : ['Out of stock']),
        ...(r.affordable ? [] : [`${points(r.pointsPrice - catalog.available)} more points needed`]),
      ];
      return `<li class="card reward">${picture(r)}
<h2><a href="${rewardPath(r.code)}">${escapeHtml(r.name)}</a></h2>
${r.description ? `<p>${escapeHtml(r.description)}</p>` : ''}
<p><strong>${points(r.pointsPrice)} points</strong></p>
<p class="hint">${notes.join(' · ')}</p></li>`;
    })
    .join('');
  return memberPage(
    'Rewards',
    `<h1>Rewards</h1>
<p>You have <strong>${points(catalog.available)}</strong> points to spend. <a href="/member/my-rewards">My rewards</a></p>
<form method="get" action="/member/rewards" class="filters">
${selectField({ id: 'category', label: 'Category', value: filters.category ?? '' }, categories)}
<label class="check"><input type="checkbox" name="affordable" value="1"${filters.affordable ? ' checked' : ''}> Only what I can afford now</label>
<button type="submit">Show</button>
</form>
${cards ? `<ul class="rewards">${cards}</ul>` : '<p>No reward matches these choices. <a href="/member/rewards">Show them all</a></p>'}`,
    { signedIn: true },
  );
}

export interface RewardForm {
  /** The form's key (see newFormKey). */
  key: string;
  values?: Record<string, string>;
  errors?: DeliveryAddressErrors;
  /** Why the redemption was refused, in words. */
  refusal?: string;
}

/** The confirmation step: what it costs and what is left, the delivery address for a reward to ship, and the button. */
export function rewardPage({ available, reward }: { available: number; reward: CatalogReward }, form: RewardForm): string {
  const values = form.values ?? {};
  const errors = form.errors ?? {};
  const field = (id: keyof DeliveryAddressErrors, label: string, attributes: string, hint?: string) =>
    textField({ id, label, value: values[id], error: errors[id], hint, attributes });
  const address = reward.needsFulfilment
    ? `<fieldset><legend>Where should we send it?</legend>
${field('name', 'Name', 'autocomplete="name" maxlength="100"', 'Who receives the parcel')}
${field('street', 'Street and house number', 'autocomplete="street-address" maxlength="200"')}
${field('postalCode', 'Postal code', 'autocomplete="postal-code" maxlength="12"')}
${field('city', 'City', 'autocomplete="address-level2" maxlength="100"')}
${selectField({ id: 'country', label: 'Country', value: values.country, error: errors.country, attributes: 'autocomplete="country"' }, [
  ['', 'Choose a country'],
  ...deliveryCountries.map((c): [string, string] => [c.code, c.name]),
])}
</fieldset>`
    : '<p>You get a code at once: on the next page, and by email.</p>';
  const balance = reward.affordable
    ? `You have ${points(available)} points; ${points(available - reward.pointsPrice)} will be left.`
    : `You have ${points(available)} points. You need ${points(reward.pointsPrice - available)} more points.`;
  return memberPage(
    reward.name,
    `<p><a href="/member/rewards">All rewards</a></p>
<h1>${escapeHtml(reward.name)}</h1>${picture(reward)}
${reward.description ? `<p>${escapeHtml(reward.description)}</p>` : ''}
<p><strong>${points(reward.pointsPrice)} points</strong>${reward.category ? ` · ${escapeHtml(reward.category)}` : ''}</p>
<p>${balance}</p>${reward.inStock ? '' : '<p>Out of stock at the moment.</p>'}
<form method="post" action="${rewardPath(reward.code)}" novalidate>
<input type="hidden" name="key" value="${escapeHtml(form.key)}">
${address}
<button type="submit"${form.refusal ? ' aria-describedby="redeem-error"' : ''}>Redeem for ${points(reward.pointsPrice)} points</button>
${form.refusal ? `<p class="error" id="redeem-error" role="alert">${escapeHtml(form.refusal)}</p>` : ''}
</form>`,
    { signedIn: true },
  );
}

/** Where a redemption stands, in the member's words. */
function stageWords(r: MemberRedemption): string {
  switch (r.stage) {
    case 'code':
      return `Code: ${r.code ?? ''}`;
    case 'awaiting_fulfilment':
      return 'Awaiting fulfilment: we are ordering it.';
    case 'ordered':
      return 'Ordered: the supplier is preparing it.';
    case 'shipped':
      return `Shipped${r.carrier ? ` with ${r.carrier}` : ''}${r.trackingNumber ? `, tracking number ${r.trackingNumber}` : ''}.`;
    case 'cancelled':
      return `Cancelled: ${r.outcome ?? 'it could not be delivered'}. The points are back.`;
    case 'needs_care':
      return 'Customer care will contact you about it.';
  }
}

/** One reward the member redeemed: its code, or where its parcel stands and where it goes. */
export function redemptionPage(r: MemberRedemption, options: { emailedTo?: string }): string {
  const body =
    r.stage === 'code'
      ? `<p>Your code:</p><p class="reward-code">${escapeHtml(r.code ?? '')}</p>
<p>${options.emailedTo ? `We are also emailing it to ${escapeHtml(options.emailedTo)}. ` : ''}It stays under My rewards.</p>`
      : `<p>Status: <strong>${escapeHtml(stageWords(r))}</strong></p>
${r.shipTo ? `<p>Ships to: ${escapeHtml(deliveryAddressLine(r.shipTo))}</p>` : ''}`;
  return memberPage(
    `Your ${r.reward}`,
    `<h1>Your ${escapeHtml(r.reward)}</h1>${picture(r)}
<p class="hint">${day(r.at)} · ${points(r.points)} points</p>
${body}
<p><a href="/member/my-rewards">My rewards</a> · <a href="/member/rewards">More rewards</a></p>`,
    { signedIn: true },
  );
}

/** Every reward the member redeemed, newest first, with its code or its status. */
export function myRewardsPage(redemptions: MemberRedemption[]): string {
  const items = redemptions
    .map(
      (
        r,
      ) => `<li class="card"><a href="/member/my-rewards/${r.id}"><strong>${escapeHtml(r.quantity > 1 ? `${r.quantity} × ${r.reward}` : r.reward)}</strong></a>
<span class="hint">${day(r.at)} · ${points(r.points)} points</span><br>${escapeHtml(stageWords(r))}</li>`,
    )
    .join('');
  return memberPage(
    'My rewards',
    `<h1>My rewards</h1>${items ? `<ul class="list">${items}</ul>` : '<p>You have not redeemed a reward yet.</p>'}
<p><a href="/member/rewards">Rewards you can have</a></p>`,
    { signedIn: true },
  );
}
