import { csvDocument } from '../reports/csv.js';
import type { MemberDashboard } from '../loyalty/member-dashboard.js';
import type { StatementLine } from '../loyalty/member-statement.js';
import type { MemberChallenge } from '../loyalty/engagement/member-challenges.js';
import { zonedLocal } from '../loyalty/campaigns/zoned-time.js';
import { formatMoney } from '../loyalty/money.js';
import type { LeaderboardRanking } from '../loyalty/engagement/leaderboard-ranking.js';
import { day, escapeHtml, memberPage, points } from './page-layout.js';
import { badgeSection, levelBanner, type MemberBadgeView } from './badge-pages.js';

/** The overview: balance, tier and how to reach the next, points that expire and when. */
export function dashboardPage(
  d: MemberDashboard,
  recent: StatementLine[],
  challenges: MemberChallenge[] = [],
  badges: MemberBadgeView = { earned: [], toEarn: [] },
  leaderboards: MemberLeaderboards = { rankings: [], nameShown: false },
  referralCode: string | null = null,
): string {
  const hello = d.displayName ? `Hello ${escapeHtml(d.displayName)}` : 'Your points';
  const tier = d.tier.current
    ? `<p>You are <strong>${escapeHtml(d.tier.current.name)}</strong> (points × ${d.tier.current.multiplier}). It stays yours while you have at least
${points(d.tier.current.threshold)} qualifying points earned over the last ${d.tier.windowDays} days; you have ${points(d.tier.qualifying)}.</p>`
    : `<p>You have ${points(d.tier.qualifying)} qualifying points earned over the last ${d.tier.windowDays} days.</p>`;
  // A named next level shows its own progress bar (levelBanner) instead of the tier's.
  const next =
    d.tier.next && !d.tier.next.level
      ? `<p><label for="tier-progress">${points(d.tier.next.missing)} more qualifying points to reach ${escapeHtml(d.tier.next.name)}</label>
<progress id="tier-progress" max="${d.tier.next.threshold}" value="${Math.min(d.tier.qualifying, d.tier.next.threshold)}">${points(d.tier.qualifying)} of ${points(d.tier.next.threshold)}</progress></p>`
      : '';
  const upcoming = d.upcoming.length
    ? `<table><caption class="hint">Upcoming expiries</caption><thead><tr><th scope="col">Date</th><th scope="col" class="num">Points</th></tr></thead><tbody>
${d.upcoming.map((u) => `<tr><td>${day(u.on)}</td><td class="num">${points(u.points)}</td></tr>`).join('')}</tbody></table>`
    : '<p>None of your points expire.</p>';
  const pending = d.pending.length
    ? `<section aria-labelledby="pending"><h2 id="pending">Pending points</h2><ul>
${d.pending.map((p) => `<li>${points(p.points)} points pending, available from ${day(p.availableFrom)}</li>`).join('')}</ul>
<p class="hint">Points from a purchase wait for its return window to close before you can spend them. A refund of the purchase before then cancels them.</p></section>`
    : '';
  return memberPage(
    'Your points',
    `<h1>${hello}</h1>
<section aria-labelledby="balance"><h2 id="balance">Balance</h2><div class="cards">
<div class="card"><span>Available</span><strong>${points(d.balance.available)}</strong></div>
<div class="card"><span>Held for rewards on their way</span><strong>${points(d.balance.held)}</strong></div>
<div class="card"><span>Pending</span><strong>${points(d.balance.pending)}</strong></div></div></section>
${pending}${storeCredit(d)}${challengeSection(challenges)}${referralSection(referralCode)}${badgeSection(badges)}${leaderboardSection(leaderboards)}
<section aria-labelledby="tier"><h2 id="tier">Tier</h2>${levelBanner(d.tier)}${tier}${next}</section>
<section aria-labelledby="expiry"><h2 id="expiry">Expiring points</h2>
<p>${points(d.expiring.days30)} in the next 30 days, ${points(d.expiring.days60)} within 60, ${points(d.expiring.days90)} within 90.</p>${upcoming}</section>
<section aria-labelledby="recent"><h2 id="recent">Latest activity</h2>${statementTable(recent)}<p><a href="/member/history">All your history</a></p></section>
<section aria-labelledby="account"><h2 id="account">Your account</h2><p>Member ${escapeHtml(d.reference)}${d.email ? ` · ${escapeHtml(d.email)}` : ''}${d.phone ? ` · ${escapeHtml(d.phone)}` : ''}</p>
<form method="post" action="/member/sign-out-everywhere"><button type="submit">Sign out on every device</button></form></section>`,
    { signedIn: true },
  );
}

/** "1 of 3 purchases", "€12.00 of €100.00 spent": the unit said once. */
const progressWords = (c: MemberChallenge, done: number): string =>
  `${c.metric === 'spend' ? escapeHtml(formatMoney(done, c.currency)) : points(done)} of ${metricWords(c, c.target)}`;

const metricWords = (c: MemberChallenge, n: number): string => {
  switch (c.metric) {
    case 'purchase_count':
      return `${points(n)} ${n === 1 ? 'purchase' : 'purchases'}`;
    case 'distinct_partners':
      return `${points(n)} ${n === 1 ? 'store' : 'different stores'}`;
    case 'referrals':
      return `${points(n)} ${n === 1 ? 'friend who buys' : 'friends who buy'}`;
    case 'spend':
      return `${escapeHtml(formatMoney(n, c.currency))} spent${c.category ? ` on ${escapeHtml(c.category)}` : ''}`;
  }
};
/** When the period ends, on the challenge's clock (its time zone): its last day, or the minute a period of hours ends. */
const lastMoment = (c: MemberChallenge, endsAt: Date): string => {
  const end = zonedLocal(endsAt, c.timeZone);
  if (end.endsWith('T00:00')) return `last day ${zonedLocal(new Date(endsAt.getTime() - 1), c.timeZone).slice(0, 10)}`;
  return `ends ${end.replace('T', ' ')}`;
};
const periodWords = { once: '', weekly: ' this week', monthly: ' this month' } as const;

/** The live challenges the member takes part in: each with its progress bar, and what completing it pays. */
function challengeSection(challenges: MemberChallenge[]): string {
  if (challenges.length === 0) return '';
  const items = challenges.map((c, i) => {
    const done = Math.min(c.progress, c.target);
    const status = c.completed
      ? `<strong>Completed</strong>: ${points(c.rewardPoints)} points paid`
      : `${metricWords(c, c.target - done)} to go for ${points(c.rewardPoints)} points`;
    const ends = c.periodEndsAt ? `<span class="hint"> · ${lastMoment(c, c.periodEndsAt)}</span>` : '';
    return `<li><label for="challenge-${i}"><strong>${escapeHtml(c.name)}</strong>: ${progressWords(c, done)}${periodWords[c.period]}</label>
<progress id="challenge-${i}" max="${c.target}" value="${done}">${done} of ${c.target}</progress><p>${status}${ends}</p></li>`;
  });
  return `<section aria-labelledby="challenges"><h2 id="challenges">Challenges</h2><ul class="challenges">
${items.join('\n')}</ul></section>`;
}

/** The member's referral code, in a sentence to pass on: selected whole on a click, or copied by the button. */
function referralSection(code: string | null): string {
  if (code === null) return '';
  const message = `Join with my referral code ${code} at any store of the program.`;
  return `<section aria-labelledby="referral"><h2 id="referral">Refer a friend</h2>
<p>Your referral code is <strong id="referral-code">${escapeHtml(code)}</strong>. A friend gives it to the store when they join; once they have bought something, they count for your "refer a friend" challenges.</p>
<p class="hint">A message to send them:</p>
<p><span id="referral-message" style="user-select: all">${escapeHtml(message)}</span>
<button type="button" onclick="navigator.clipboard.writeText(document.getElementById('referral-message').textContent).then(() => { this.textContent = 'Copied' })">Copy</button></p></section>`;
}

/** The leaderboards on the member's dashboard, and whether they agreed to show their name on them. */
export interface MemberLeaderboards {
  rankings: LeaderboardRanking[];
  nameShown: boolean;
}

const leaderboardPeriodWords = { once: '', weekly: 'This week', monthly: 'This month' } as const;

/** Each live leaderboard's top 10 and the member's own rank; others show by name only if they agreed, the member can choose here. */
function leaderboardSection({ rankings, nameShown }: MemberLeaderboards): string {
  if (rankings.length === 0) return '';
  const boards = rankings.map((r, i) => {
    const rows = r.top
      .map(
        (t) =>
          `<tr${t.you ? ' class="you"' : ''}><td class="num">${t.rank}</td><td>${escapeHtml(t.name)}${t.you ? ' <strong>(you)</strong>' : ''}</td><td class="num">${points(t.score)}</td></tr>`,
      )
      .join('');
    const own = r.member
      ? `<p>You are <strong>number ${points(r.member.rank)}</strong> with ${points(r.member.score)}.</p>`
      : '<p>You are not on it yet: earn points to join.</p>';
    const ends = r.periodEndsAt ? `<span class="hint"> · ends ${day(r.periodEndsAt)}</span>` : '';
    const prizes = r.prizes.length
      ? `<p class="hint">Prizes: ${r.prizes
          .map(
            (p) =>
              `${p.fromRank === p.toRank ? `number ${p.fromRank}` : `numbers ${p.fromRank} to ${p.toRank}`}: ${points(p.points)} points`,
          )
          .join(', ')}. Equal scores share a rank; the one who got there first takes the better prize.</p>`
      : '';
    const table = rows
      ? `<table aria-labelledby="leaderboard-${i}"><thead><tr><th scope="col" class="num">Rank</th><th scope="col">Member</th><th scope="col" class="num">Score</th></tr></thead><tbody>${rows}</tbody></table>`
      : '<p>No one yet.</p>';
    return `<article><h3 id="leaderboard-${i}">${escapeHtml(r.name)}${r.period === 'once' ? '' : ` <span class="hint">${leaderboardPeriodWords[r.period]}</span>`}${ends}</h3>
${own}${table}${prizes}</article>`;
  });
  const consent = `<form method="post" action="/member/leaderboard-name"><input type="hidden" name="shown" value="${nameShown ? 'off' : 'on'}">
<p>${nameShown ? 'Others see your display name on leaderboards.' : 'Others see you as an anonymous member.'} <button type="submit">${
    nameShown ? 'Hide my name' : 'Show my name'
  }</button></p></form>`;
  return `<section aria-labelledby="leaderboards"><h2 id="leaderboards">Leaderboards</h2>${consent}
${boards.join('\n')}</section>`;
}

/** Store credit is money, not points: shown in its currency, beside the points, once the member has some. */
function storeCredit(d: MemberDashboard): string {
  if (d.credit.length === 0) return '';
  const cards = d.credit.map(
    (c) =>
      `<div class="card"><span>${escapeHtml(c.program)}</span><strong>${escapeHtml(c.available)}</strong>${
        c.heldMinor > 0 ? `<span class="hint">more held for a payment on its way</span>` : ''
      }${c.pendingMinor > 0 ? `<span class="hint">${escapeHtml(c.pending)} pending, cancelled if the purchase is refunded</span>` : ''}</div>`,
  );
  return `<section aria-labelledby="credit"><h2 id="credit">Store credit</h2><p class="hint">Money to spend at the program's stores.</p><div class="cards">
${cards.join('\n')}</div></section>`;
}

/** Every movement with its reason, a page at a time, and the whole of it as CSV. */
export function historyPage(lines: StatementLine[], nextCursor: string | null): string {
  return memberPage(
    'Your history',
    `<h1>Your history</h1><p><a href="/member/history.csv" download>Download all of it (CSV)</a></p>${statementTable(lines)}
${nextCursor ? `<p><a href="/member/history?cursor=${encodeURIComponent(nextCursor)}">Older</a></p>` : ''}`,
    { signedIn: true },
  );
}

const statusWords: Record<StatementLine['status'], string> = {
  posted: '',
  held: 'held until the reward ships',
  settled: 'reward shipped',
  released: 'given back',
  pending: 'pending: the return window is open',
  confirmed: '',
  cancelled: 'cancelled by a refund',
};

function statementTable(lines: StatementLine[]): string {
  if (lines.length === 0) return '<p>Nothing yet.</p>';
  const rows = lines
    .map((l) => {
      const why = l.reasons.length
        ? `<ul>${l.reasons.map((r) => `<li>${escapeHtml(r.reason)}: ${points(r.points)}</li>`).join('')}</ul>`
        : '';
      const words = l.availableFrom ? `pending, available from ${day(l.availableFrom)}` : statusWords[l.status];
      const status = words ? ` <span class="hint">(${words})</span>` : '';
      return `<tr><td>${day(l.at)}</td><td>${escapeHtml(l.description)}${status}${l.place ? `<br><span class="hint">${escapeHtml(l.place)}</span>` : ''}${why}</td>
<td class="num">${l.points > 0 ? '+' : ''}${points(l.points)}</td></tr>`;
    })
    .join('');
  return `<table><thead><tr><th scope="col">Date</th><th scope="col">What</th><th scope="col" class="num">Points</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The statement as CSV (RFC 4180), for a spreadsheet. */
export function statementCsv(lines: StatementLine[]): string {
  return csvDocument(
    ['date', 'description', 'place', 'points', 'status', 'reasons'],
    lines.map((l) => [l.at.toISOString(), l.description, l.place, l.points, l.status, l.reasons.map((r) => r.reason).join('; ')]),
  );
}
