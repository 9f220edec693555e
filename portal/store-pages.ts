import type { LinkedStore, StoreCandidate } from '../loyalty/member-stores.js';
import { day, escapeHtml, memberPage, points } from './page-layout.js';

const addressWords = { email: 'your email address', phone: 'your mobile number' } as const;

/** The stores that know the member (to unlink), and those with an address of theirs (to link). */
export function storesPage(stores: { linked: LinkedStore[]; candidates: StoreCandidate[] }, notice?: string, problem?: string): string {
  const linked = stores.linked.length
    ? `<ul class="list">${stores.linked
        .map(
          (s) => `<li class="card"><strong>${escapeHtml(s.name)}</strong> <span class="hint">since ${day(s.since)}</span><br>
<a href="/member/stores/${s.partnerId}/unlink">Unlink ${escapeHtml(s.name)}</a></li>`,
        )
        .join('')}</ul>`
    : '<p>No store knows you yet: give a store your email or mobile number when you shop there.</p>';
  const candidates = stores.candidates.length
    ? `<p>These stores have a customer with an address of yours. If that is you, link it: its points join yours, keeping their dates.</p>
<ul class="list">${stores.candidates
        .map(
          (c) => `<li class="card">${escapeHtml(c.store)} has a customer with ${addressWords[c.matchedBy]}: ${points(c.points)} points${
            c.firstExpiry ? `, the first expiring on ${day(c.firstExpiry)}` : ''
          }. <span class="hint">Since ${day(c.since)}.</span>
<form method="post" action="/member/stores/link"><input type="hidden" name="customer" value="${c.customerMemberId}">
<button type="submit">Link ${escapeHtml(c.store)}</button></form></li>`,
        )
        .join('')}</ul>`
    : '<p>No other store has a customer with an address of yours.</p>';
  return memberPage(
    'Your stores',
    `<h1>Your stores</h1>
${notice ? `<p role="status" class="notice">${escapeHtml(notice)}</p>` : ''}${problem ? `<p role="alert" class="error">${escapeHtml(problem)}</p>` : ''}
<section aria-labelledby="linked-title" id="linked"><h2 id="linked-title">Stores that know you</h2>${linked}</section>
<section aria-labelledby="candidates-title"><h2 id="candidates-title">Stores that may know you</h2>${candidates}</section>`,
    { signedIn: true },
  );
}

/** What unlinking a store means, before it is done. */
export function unlinkPage(store: { partnerId: string; name: string }): string {
  const name = escapeHtml(store.name);
  return memberPage(
    `Unlink ${store.name}`,
    `<h1>Unlink ${name}?</h1>
<p>${name} will no longer reach your account by its customer number: it cannot give you points, show your balance or spend
your points until it is linked again. Your points stay yours.</p>
<form method="post" action="/member/stores/${store.partnerId}/unlink"><button type="submit">Unlink ${name}</button></form>
<p><a href="/member/stores">Keep it linked</a></p>`,
    { signedIn: true },
  );
}
