import type { EntityManager } from 'typeorm';
import { Member, messageChannels, type MessageChannel } from '../entities/index.js';
import { currentMember, MemberNotFoundError } from './member-identity.js';
import { Refusal } from './refusal.js';

/** The kinds of messages a member chooses to get or not, on each channel. */
export const messageKinds = ['welcome', 'birthday', 'expiry', 'reactivation', 'marketing'] as const;
export type MessageKind = (typeof messageKinds)[number];

/** Messages the member asked for or is waiting for (codes, a reward's outcome), and notices of what changed on their account. */
export const transactionalMessageKinds = [
  'sign_in_code',
  'spending_code',
  'redemption',
  'reward_code',
  'store_linked',
  'care_adjustment',
  'instant_win',
] as const;
export type TransactionalMessageKind = (typeof transactionalMessageKinds)[number];

export type MessagePreferences = Record<MessageKind, Record<MessageChannel, boolean>>;

/** What each kind is, as a member reads it ("stop … by email"). */
export const messageKindLabels: Record<MessageKind, string> = {
  welcome: 'welcome messages',
  birthday: 'birthday messages',
  expiry: 'reminders of points about to expire',
  reactivation: '"we miss you" offers',
  marketing: 'offers and news',
};

/**
 * What a member gets before choosing. They joined the program, and every message says how to stop
 * it: its messages by email, and texts only for the welcome, birthdays and expiring points.
 */
export const defaultMessagePreferences: MessagePreferences = {
  welcome: { email: true, sms: true },
  birthday: { email: true, sms: true },
  expiry: { email: true, sms: true },
  reactivation: { email: true, sms: false },
  marketing: { email: true, sms: false },
};

type Reachable = Pick<Member, 'email' | 'phone' | 'mergedIntoId' | 'messagePreferences'>;

const isKind = (value: string): value is MessageKind => (messageKinds as readonly string[]).includes(value);
const isChannel = (value: string): value is MessageChannel => (messageChannels as readonly string[]).includes(value);

/** The member's choices over the program's defaults; anything stored that is not a kind, a channel and a yes or no is ignored. */
export function messagePreferences(member: Pick<Member, 'messagePreferences'>): MessagePreferences {
  const chosen = member.messagePreferences ?? {};
  return Object.fromEntries(
    messageKinds.map((kind) => [
      kind,
      Object.fromEntries(
        messageChannels.map((channel) => {
          const choice = chosen[kind]?.[channel];
          return [channel, typeof choice === 'boolean' ? choice : defaultMessagePreferences[kind][channel]];
        }),
      ),
    ]),
  ) as MessagePreferences;
}

/**
 * Whether the program may send this member a message of this kind on this channel: every message
 * that is not transactional respects it. Never to a member merged into another (messages go to the
 * one they became) nor without an address on the channel.
 */
export function mayMessage(member: Reachable, kind: MessageKind | TransactionalMessageKind, channel: MessageChannel): boolean {
  if (!addressOn(member, channel)) return false;
  return isKind(kind) ? messagePreferences(member)[kind][channel] : true;
}

/** Where a message on `channel` goes (an email, a number in E.164), if anywhere: never to a member merged into another. */
export function addressOn(member: Pick<Member, 'email' | 'phone' | 'mergedIntoId'>, channel: MessageChannel): string | null {
  if (member.mergedIntoId !== null) return null;
  return (channel === 'email' ? member.email : member.phone) || null;
}

/** What a member sees and sets about themselves. */
export interface MemberProfile {
  displayName: string | null;
  email: string | null;
  phone: string | null;
  /** `YYYY-MM-DD`. */
  birthday: string | null;
  language: string;
  timeZone: string;
  preferences: MessagePreferences;
}

export class ProfileRefusedError extends Refusal {
  constructor(field: string, reason: string) {
    super('invalid_profile', reason, field);
  }
}

const profileOf = (member: Member): MemberProfile => ({
  displayName: member.displayName,
  email: member.email,
  phone: member.phone,
  birthday: member.birthday,
  language: member.language,
  timeZone: member.timeZone,
  preferences: messagePreferences(member),
});

async function liveMember(manager: EntityManager, memberId: string): Promise<Member> {
  const member = await currentMember(manager, memberId);
  if (!member) throw new MemberNotFoundError(memberId);
  return member;
}

/** The profile of the member `memberId` stands for (following merges). */
export async function memberProfile(manager: EntityManager, memberId: string): Promise<MemberProfile> {
  return profileOf(await liveMember(manager, memberId));
}

/** The changes a member may make, in canonical form. */
interface ProfileChanges {
  displayName?: string | null;
  birthday?: string | null;
  language?: string;
  timeZone?: string;
  preferences?: Partial<Record<MessageKind, Partial<Record<MessageChannel, boolean>>>>;
}

// C0 and C1 controls, and the line and paragraph separators: nothing a name is made of.
// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const displayNameMax = 80;

function checkDisplayName(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') throw new ProfileRefusedError('displayName', 'must be text');
  const name = value.trim();
  if (controlCharacters.test(name)) throw new ProfileRefusedError('displayName', 'must not hold control characters');
  if (name.length > displayNameMax) throw new ProfileRefusedError('displayName', `must be at most ${displayNameMax} characters`);
  return name === '' ? null : name;
}

function checkBirthday(value: unknown, today: Date): string | null {
  if (value === null) return null;
  const match = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  const day = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : null;
  if (!match || !day || day.toISOString().slice(0, 10) !== value) {
    throw new ProfileRefusedError('birthday', 'must be a date written YYYY-MM-DD, such as 1990-02-28');
  }
  if (Number(match[1]) < 1900) throw new ProfileRefusedError('birthday', 'must be in 1900 or later');
  // A birthday that is tomorrow anywhere on Earth is in the future.
  if (day.getTime() > today.getTime() + 14 * 3_600_000) throw new ProfileRefusedError('birthday', 'must not be in the future');
  return value as string;
}

function checkLanguage(value: unknown): string {
  if (typeof value !== 'string' || value.length > 35)
    throw new ProfileRefusedError('language', 'must be a language tag, such as en or fr-BE');
  try {
    const [canonical] = Intl.getCanonicalLocales(value);
    if (canonical) return canonical;
  } catch {
    // Not well-formed BCP 47: refused below.
  }
  throw new ProfileRefusedError('language', 'must be a language tag, such as en or fr-BE');
}

const timeZoneRule = 'must be a time zone of the IANA database, such as Europe/Paris or America/New_York';

function checkTimeZone(value: unknown): string {
  // Offsets (`+01:00`) are no zone: they know no summer time.
  if (typeof value !== 'string' || !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value)) {
    throw new ProfileRefusedError('timeZone', timeZoneRule);
  }
  try {
    return new Intl.DateTimeFormat('en', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    throw new ProfileRefusedError('timeZone', timeZoneRule);
  }
}

function checkPreferences(value: unknown): NonNullable<ProfileChanges['preferences']> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProfileRefusedError('preferences', 'must name kinds of messages, each with its channels turned on or off');
  }
  const checked: NonNullable<ProfileChanges['preferences']> = {};
  for (const [kind, channels] of Object.entries(value)) {
    if (!isKind(kind)) throw new ProfileRefusedError(`preferences.${kind}`, `is no kind of message: one of ${messageKinds.join(', ')}`);
    if (typeof channels !== 'object' || channels === null || Array.isArray(channels)) {
      throw new ProfileRefusedError(`preferences.${kind}`, 'must name channels (email, sms), each true or false');
    }
    for (const [channel, on] of Object.entries(channels)) {
      if (!isChannel(channel)) throw new ProfileRefusedError(`preferences.${kind}.${channel}`, 'is no channel: email or sms');
      if (typeof on !== 'boolean') throw new ProfileRefusedError(`preferences.${kind}.${channel}`, 'must be true or false');
      checked[kind] = { ...checked[kind], [channel]: on };
    }
  }
  return checked;
}

/** Every change checked before any is written: a refusal names the first field at fault, as the caller sent it. */
function checkProfileChanges(changes: Record<string, unknown>, today: Date): ProfileChanges {
  const checked: ProfileChanges = {};
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    switch (field) {
      case 'displayName':
        checked.displayName = checkDisplayName(value);
        break;
      case 'birthday':
        checked.birthday = checkBirthday(value, today);
        break;
      case 'language':
        checked.language = checkLanguage(value);
        break;
      case 'timeZone':
        checked.timeZone = checkTimeZone(value);
        break;
      case 'preferences':
        checked.preferences = checkPreferences(value);
        break;
      default:
        throw new ProfileRefusedError(field, 'cannot be changed here: displayName, birthday, language, timeZone or preferences');
    }
  }
  return checked;
}

/**
 * Changes what the member says about themselves (`displayName`, `birthday`, `language`,
 * `timeZone`) and the messages they get (`preferences`: kinds, each with channels on or off; those
 * not named stay as they were). All or nothing: a refusal names the field and writes nothing.
 */
export async function updateMemberProfile(
  manager: EntityManager,
  memberId: string,
  changes: Record<string, unknown>,
  today = new Date(),
): Promise<MemberProfile> {
  const checked = checkProfileChanges(changes, today);
  const member = await liveMember(manager, memberId);
  if (checked.timeZone !== undefined) {
    // Birthdays are found by the database's own zones: it must know this one too.
    const [known] = await manager.query(`SELECT 1 FROM pg_timezone_names WHERE name = $1`, [checked.timeZone]);
    if (!known) throw new ProfileRefusedError('timeZone', timeZoneRule);
  }
  const { preferences, ...fields } = checked;
  await manager
    .createQueryBuilder()
    .update(Member)
    .set({ ...fields, ...(preferences ? { messagePreferences: withChoices } : {}) })
    .where('id = :id', { id: member.id, choices: JSON.stringify(preferences ?? {}) })
    .execute();
  return memberProfile(manager, member.id);
}

/**
 * The stored choices with `:choices` laid over them kind by kind, in the statement that writes
 * them: two changes at once (a click on an unsubscribe link, a dashboard form) both stay.
 */
const withChoices = () =>
  `(SELECT COALESCE(jsonb_object_agg(k, COALESCE(member."messagePreferences" -> k, '{}') || COALESCE(CAST(:choices AS jsonb) -> k, '{}')), '{}')
      FROM (SELECT jsonb_object_keys(member."messagePreferences") UNION SELECT jsonb_object_keys(CAST(:choices AS jsonb))) AS kinds(k))`;

/** Turns one kind of message off on one channel (an unsubscribe link) for the member `memberId` stands for. */
export async function turnOffMessages(
  manager: EntityManager,
  memberId: string,
  kind: MessageKind,
  channel: MessageChannel,
): Promise<Member> {
  const member = await liveMember(manager, memberId);
  await manager
    .createQueryBuilder()
    .update(Member)
    .set({ messagePreferences: withChoices })
    .where('id = :id', { id: member.id, choices: JSON.stringify({ [kind]: { [channel]: false } }) })
    .execute();
  return liveMember(manager, member.id);
}
