import type { BadgeRule } from '../entities/index.js';
import type { BadgeToEarn, EarnedBadge } from '../loyalty/engagement/member-badges.js';
import { emblemSvg } from '../loyalty/engagement/emblems.js';
import type { TierStanding } from '../loyalty/member-dashboard.js';
import { day, escapeHtml, points } from './page-layout.js';

/** The member's badges: those earned and those still to earn, as the dashboard shows them. */
export interface MemberBadgeView {
  earned: EarnedBadge[];
  toEarn: BadgeToEarn[];
}

const style = `<style>
ul.badges{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(17rem,1fr));gap:.75rem}
ul.badges li{display:flex;gap:.75rem;align-items:flex-start;border:1px solid var(--line);border-radius:8px;padding:.75rem}
ul.badges li.to-earn{color:var(--muted);border-style:dashed}ul.badges h3{font-size:1rem;margin:0}ul.badges p{margin:.25rem 0 0}
ul.badges .emblem{flex:none}ul.badges li>div{min-width:0;flex:1;overflow-wrap:anywhere}.level{display:flex;gap:.75rem;align-items:center}.level p{margin:0}
</style>`;

const toGo: Record<Exclude<BadgeRule, 'challenge'>, (n: number) => string> = {
  first_purchase: () => 'Make your first purchase',
  purchase_count: (n) => `${points(n)} more ${n === 1 ? 'purchase' : 'purchases'} to go`,
  distinct_partners: (n) => `Shop at ${points(n)} more ${n === 1 ? 'store' : 'different stores'}`,
};

/** Earned badges with their emblem, name, description and date; then those to earn, greyed, with what it takes. */
export function badgeSection(view: MemberBadgeView): string {
  if (view.earned.length === 0 && view.toEarn.length === 0) return '';
  const earned = view.earned.map(
    (b) => `<li>${emblemSvg(b.emblem, b.colour, { label: b.name })}<div><h3>${escapeHtml(b.name)}</h3>
<p>${escapeHtml(b.description)}</p><p class="hint">Earned on ${day(b.awardedAt)}</p></div></li>`,
  );
  const open = view.toEarn.map((b, i) => {
    const rule = b.rule === 'challenge' ? null : toGo[b.rule];
    return `<li class="to-earn">${emblemSvg(b.emblem, '', { muted: true, label: `${b.name} (not earned yet)` })}<div><h3>${escapeHtml(b.name)}</h3>
<p>${escapeHtml(b.description)}</p><p><label for="badge-${i}" class="hint">${rule ? rule(b.target - b.progress) : ''}</label>
<progress id="badge-${i}" max="${b.target}" value="${b.progress}">${b.progress} of ${b.target}</progress></p></div></li>`;
  });
  const none = view.earned.length === 0 ? '<p>No badge yet: your first purchase earns one.</p>' : '';
  return `${style}<section aria-labelledby="badges"><h2 id="badges">Badges</h2>${none}
${earned.length ? `<ul class="badges">${earned.join('\n')}</ul>` : ''}
${open.length ? `<h3 class="hint">Still to earn</h3><ul class="badges">${open.join('\n')}</ul>` : ''}</section>`;
}

/** The member's level (the program's game name for their tier) and the progress to the next, where the program named levels. */
export function levelBanner(tier: TierStanding): string {
  const current = tier.current?.level;
  const next = tier.next?.level;
  if (!current && !next) return '';
  const now = current
    ? `<div class="level">${emblemSvg(current.emblem, '#0b5cad', { size: 56, label: current.name })}<p>Your level: <strong>${escapeHtml(current.name)}</strong></p></div>`
    : '';
  const ahead =
    tier.next && next
      ? `<p><label for="level-progress">${points(tier.next.missing)} more qualifying points to reach level ${escapeHtml(next.name)}</label>
<progress id="level-progress" max="${tier.next.threshold}" value="${Math.min(tier.qualifying, tier.next.threshold)}">${points(tier.qualifying)} of ${points(tier.next.threshold)}</progress></p>`
      : '';
  return now + ahead;
}
