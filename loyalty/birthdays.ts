import type { DataSource } from 'typeorm';
import { birthdayChannels } from '../entities/index.js';
import type { FieldErrors } from './earning/configuration-checks.js';
import { computeExpiry } from './earning/expiry-policy.js';
import { programSettings } from './earning/program-settings.js';
import { accountByCode, programAccounts } from './ledger/accounts.js';
import type { Ledger } from './ledger/ledger.js';
import { inTransaction } from './ledger/transaction.js';
import { queueMemberMessage, type BirthdayDetails } from './member-messages.js';
import { Refusal } from './refusal.js';

/** No birthday message goes before this hour of the member's day: a run earlier holds it until then. */
export const birthdayMessageHour = 9;

const whole = (value: unknown) => (typeof value === 'number' || (typeof value === 'string' && value.trim() !== '') ? Number(value) : NaN);

/** The birthday settings as the back office form sends them (strings): each field at fault, in words. */
export function checkBirthdaySettings(values: Record<string, unknown>): FieldErrors {
  const errors: FieldErrors = {};
  const points = values.birthdayBonusPoints;
  if (points !== undefined && !(Number.isSafeInteger(whole(points)) && whole(points) >= 0)) {
    errors.birthdayBonusPoints = 'must be a whole number of points, 0 or more (0: a message without a bonus)';
  }
  for (const field of ['birthdayDaysBefore', 'birthdayDaysAfter']) {
    const days = whole(values[field]);
    if (values[field] !== undefined && !(Number.isInteger(days) && days >= 0 && days <= 31)) {
      errors[field] = 'must be a whole number of days from 0 to 31';
    }
  }
  const channel = values.birthdayChannel;
  if (channel !== undefined && !(birthdayChannels as readonly unknown[]).includes(channel)) {
    errors.birthdayChannel = `must be ${birthdayChannels.slice(0, -1).join(', ')} or ${birthdayChannels.at(-1)}`;
  }
  return errors;
}

export interface BirthdayFailure {
  memberId: string;
  reason: string;
}

export interface BirthdayRun {
  /** Members whose birthday this run celebrated: their bonus paid, their message queued. */
  celebrated: number;
  /** Members the ledger refused a bonus: nothing was written for them, and the next run in their days tries again. */
  failures: BirthdayFailure[];
}

interface DueBirthday {
  memberId: string;
  accountId: string;
  enrolledAt: Date;
  year: number;
  birthdayOn: string;
  notBefore: Date;
}

/**
 * Celebrates the birthdays that fall today, in each member's own time zone, or within the
 * program's days before and after them: once per member and year of the birthday (a 29 February
 * is the 28th in common years). Each celebration is one transaction: the message recorded and
 * queued (held until 09:00 of the member's day), and the bonus, when the program gives one, paid
 * from its marketing account under the key of the member and the year. The first run within the
 * days celebrates; every later one finds it done.
 */
export async function celebrateBirthdays(dataSource: DataSource, ledger: Ledger, now: Date): Promise<BirthdayRun> {
  const settings = await programSettings(dataSource.manager);
  if (!settings.birthdayGreetings) return { celebrated: 0, failures: [] };
  const due: DueBirthday[] = await dataSource.query(
    `SELECT m.id AS "memberId", a.id AS "accountId", m."enrolledAt", o.year, to_char(o.day, 'YYYY-MM-DD') AS "birthdayOn",
            (o.day + make_interval(hours => $4)) AT TIME ZONE m."timeZone" AS "notBefore"
       FROM member m
       JOIN ledger_account a ON a."memberId" = m.id AND a.unit = 'points'
      CROSS JOIN LATERAL (SELECT ($1::timestamptz AT TIME ZONE m."timeZone")::date AS today) t
      CROSS JOIN LATERAL (
            SELECT y AS year,
                   make_date(y, EXTRACT(MONTH FROM m.birthday)::int,
                             CASE WHEN EXTRACT(MONTH FROM m.birthday) = 2 AND EXTRACT(DAY FROM m.birthday) = 29
                                       AND NOT (y % 4 = 0 AND (y % 100 <> 0 OR y % 400 = 0)) THEN 28
                                  ELSE EXTRACT(DAY FROM m.birthday)::int END) AS day
              FROM generate_series(EXTRACT(YEAR FROM t.today)::int - 1, EXTRACT(YEAR FROM t.today)::int + 1) AS y) o
      WHERE m.birthday IS NOT NULL AND m."mergedIntoId" IS NULL
        AND t.today BETWEEN o.day - $2::int AND o.day + $3::int
        AND NOT EXISTS (SELECT 1 FROM member_message x WHERE x."memberId" = m.id AND x.kind = 'birthday' AND x.occasion = o.year::text)
      ORDER BY m.id`,
    [now, settings.birthdayDaysBefore, settings.birthdayDaysAfter, birthdayMessageHour],
  );
  const points = settings.birthdayBonusPoints;
  const marketing = points > 0 ? await accountByCode(dataSource.manager, programAccounts.marketing) : null;
  const run: BirthdayRun = { celebrated: 0, failures: [] };
  for (const birthday of due) {
    const details: BirthdayDetails = { birthdayOn: birthday.birthdayOn, points };
    try {
      const celebrated = await inTransaction(dataSource, async (manager) => {
        const messageId = await queueMemberMessage(manager, {
          memberId: birthday.memberId,
          kind: 'birthday',
          occasion: String(birthday.year),
          details,
          notBefore: new Date(birthday.notBefore),
        });
        // Another run celebrated it meanwhile.
        if (!messageId) return false;
        if (marketing) {
          await ledger.transfer(
            {
              source: 'system:birthday',
              key: `${birthday.memberId}:${birthday.year}`,
              legs: [
                {
                  debitAccountId: marketing.id,
                  creditAccountId: birthday.accountId,
                  amount: points,
                  kind: 'bonus',
                  expiresAt: computeExpiry(
                    settings.expiryPolicy,
                    new Date(`${birthday.birthdayOn}T00:00:00Z`),
                    new Date(birthday.enrolledAt),
                  ),
                  references: { birthday: birthday.birthdayOn },
                  explanation: [{ rule: 'birthday bonus', points, reason: `birthday on ${birthday.birthdayOn}` }],
                },
              ],
            },
            manager,
          );
        }
        return true;
      });
      if (celebrated) run.celebrated += 1;
    } catch (error) {
      // One member the ledger refuses never stops the others: the operator hears of it.
      if (!(error instanceof Refusal)) throw error;
      run.failures.push({ memberId: birthday.memberId, reason: error.message });
    }
  }
  return run;
}
