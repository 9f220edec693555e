import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { messageChannels } from '../entities/index.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import {
  memberProfile,
  messageKindLabels,
  messageKinds,
  ProfileRefusedError,
  updateMemberProfile,
  type MemberProfile,
} from '../loyalty/member-preferences.js';
import { escapeHtml, memberPage } from './page-layout.js';
import { answer, memberOf } from './signed-in.js';

const channelLabels = { email: 'Email', sms: 'Text message' } as const;
const kindLabel = (kind: (typeof messageKinds)[number]) =>
  messageKindLabels[kind].charAt(0).toUpperCase() + messageKindLabels[kind].slice(1);

/** The member's profile and which messages they get, on which channel. */
export function profileRouter({ dataSource }: { dataSource: DataSource }): Router {
  const router = Router();

  router.get(
    '/profile',
    answer(async (_req, res) => {
      res.type('html').send(profilePage(await memberProfile(dataSource.manager, memberOf(res))));
    }),
  );

  router.post(
    '/profile',
    answer(async (req, res) => {
      const form = (req.body ?? {}) as Record<string, unknown>;
      const text = (name: string) => (typeof form[name] === 'string' ? (form[name] as string) : '');
      const changes = {
        displayName: text('displayName'),
        birthday: text('birthday') === '' ? null : text('birthday'),
        language: text('language'),
        timeZone: text('timeZone'),
        // A box left unticked is not sent: every kind and channel is said, on or off.
        preferences: Object.fromEntries(
          messageKinds.map((kind) => [
            kind,
            Object.fromEntries(messageChannels.map((channel) => [channel, form[`${kind}.${channel}`] === 'on'])),
          ]),
        ),
      };
      try {
        const saved = await inTransaction(dataSource, (manager) => updateMemberProfile(manager, memberOf(res), changes));
        res.type('html').send(profilePage(saved, { saved: true }));
      } catch (error) {
        if (!(error instanceof ProfileRefusedError)) throw error;
        const current = await memberProfile(dataSource.manager, memberOf(res));
        res
          .status(400)
          .type('html')
          .send(
            profilePage(
              {
                ...current,
                displayName: changes.displayName,
                birthday: changes.birthday,
                language: changes.language,
                timeZone: changes.timeZone,
              },
              { error },
            ),
          );
      }
    }),
  );
  return router;
}

function profilePage(profile: MemberProfile, state: { saved?: boolean; error?: ProfileRefusedError } = {}): string {
  const field = state.error?.field?.split('.')[0];
  const errorUnder = (name: string) => (field === name ? `<p class="error" id="${name}-error">${escapeHtml(state.error!.reason)}</p>` : '');
  const invalid = (name: string) => (field === name ? ` aria-invalid="true" aria-describedby="${name}-error"` : '');
  const input = (name: string, label: string, value: string | null, extra = '') =>
    `<label for="${name}">${label}</label><input id="${name}" name="${name}" value="${escapeHtml(value ?? '')}"${extra}${invalid(name)}>${errorUnder(name)}`;
  const rows = messageKinds
    .map(
      (kind) =>
        `<tr><th scope="row">${escapeHtml(kindLabel(kind))}</th>${messageChannels
          .map(
            (channel) =>
              `<td><input type="checkbox" id="${kind}-${channel}" name="${kind}.${channel}" aria-label="${escapeHtml(`${kindLabel(kind)} by ${channelLabels[channel].toLowerCase()}`)}"${profile.preferences[kind][channel] ? ' checked' : ''}></td>`,
          )
          .join('')}</tr>`,
    )
    .join('');
  return memberPage(
    'Your profile',
    `<h1>Your profile</h1>${state.saved ? '<p role="status"><strong>Saved.</strong></p>' : ''}
<form method="post" action="/member/profile" novalidate>
${input('displayName', 'Name', profile.displayName, ' autocomplete="name"')}
${input('birthday', 'Birthday', profile.birthday, ' type="date"')}
${input('language', 'Language', profile.language, ' autocomplete="language"')}
${input('timeZone', 'Time zone', profile.timeZone)}
<p class="hint">Your email ${escapeHtml(profile.email ?? '(none)')} and phone ${escapeHtml(profile.phone ?? '(none)')} are the ones you sign in with.</p>
<h2>Messages you get</h2>
<p class="hint">Sign-in and spending codes, and news of your rewards, always come.</p>
<table><thead><tr><th scope="col">Kind</th>${messageChannels.map((c) => `<th scope="col">${channelLabels[c]}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>
${errorUnder('preferences')}
<button type="submit">Save</button>
</form>`,
    { signedIn: true },
  );
}
