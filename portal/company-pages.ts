import { csvDocument } from '../reports/csv.js';
import type { Company } from '../entities/index.js';
import type { LineProblem } from '../loyalty/company-csv.js';
import type { GivenLine } from '../loyalty/company-distributions.js';
import type { EmployeeView } from '../loyalty/company-employees.js';
import type { ReportLine } from '../loyalty/company-report.js';
import type { MemberSummary } from '../loyalty/member-summary.js';
import { day, escapeHtml, memberPage, points } from './page-layout.js';

const signedIn = { signedIn: true };
/** Addresses wrap anywhere: a long email must not widen a table past a phone's screen. */
const address = (text: string) => `<td style="white-space:normal;overflow-wrap:anywhere">${escapeHtml(text)}`;
const base = (company: Company) => `/member/company/${company.id}`;

const fieldError = (id: string, message?: string) => (message ? `<p class="error" id="${id}-error">${escapeHtml(message)}</p>` : '');
const describedBy = (id: string, message?: string, hint?: string) => {
  const ids = [hint, message ? `${id}-error` : undefined].filter(Boolean).join(' ');
  return `${ids ? ` aria-describedby="${ids}"` : ''}${message ? ' aria-invalid="true"' : ''}`;
};

/** The companies a member manages, when there are several. */
export function companiesPage(companies: Company[]): string {
  return memberPage(
    'Your companies',
    `<h1>Your companies</h1><ul>${companies.map((c) => `<li><a href="${base(c)}">${escapeHtml(c.name)}</a></li>`).join('')}</ul>`,
    signedIn,
  );
}

/** What a manager typed in a form that was refused, with the reason under the field at fault. */
export interface Refused {
  field: string;
  reason: string;
  values: Record<string, string>;
}

export interface CompanyPageState {
  company: Company;
  summary: MemberSummary;
  employees: EmployeeView[];
  /** Fresh keys for the forms: each form sent is one request, however often it is sent. */
  keys: { give: string; file: string };
  /** Said after something was done. */
  notice?: string;
  give?: Refused;
  file?: { reason: string; problems: LineProblem[] };
  employee?: Refused;
}

/**
 * A company's page for its managers: what it has to give, giving to one employee or from a file,
 * and the employees.
 */
export function companyPage(s: CompanyPageState): string {
  const at = base(s.company);
  const give = s.give?.values ?? {};
  const giveError = (field: string) => (s.give?.field === field ? s.give.reason : undefined);
  const joined = s.employees.filter((e) => e.joined);
  const fileProblems = s.file
    ? `<div role="alert" id="file-error" class="error"><p>Nothing was given: ${escapeHtml(s.file.reason)}.</p>${
        s.file.problems.length
          ? `<p>Fix these lines and upload the file again:</p><ul>${s.file.problems
              .map((p) => `<li>Line ${p.line}: ${escapeHtml(p.reason)}</li>`)
              .join('')}</ul>`
          : ''
      }</div>`
    : '';
  const employeeRows = s.employees
    .map(
      (e) => `<tr>${address(e.address)}</td><td>${e.joined ? 'Joined' : 'Invited, not joined yet'}
<form method="post" action="${at}/employees/${e.id}/remove"><button type="submit" class="link" aria-label="Remove ${escapeHtml(e.address)}">Remove</button></form></td></tr>`,
    )
    .join('');
  return memberPage(
    s.company.name,
    `<h1>${escapeHtml(s.company.name)}</h1>
${s.notice ? `<p role="status"><strong>${escapeHtml(s.notice)}</strong></p>` : ''}
<section aria-labelledby="balance"><h2 id="balance">Points to give</h2><div class="cards">
<div class="card"><span>Available</span><strong>${points(s.summary.balance.available)}</strong></div>
<div class="card"><span>Expiring within 30 days</span><strong>${points(s.summary.expiring.days30)}</strong></div></div>
<p class="hint">Points you give keep their expiry date. <a href="${at}/report">What each employee received</a></p></section>

<section aria-labelledby="give"><h2 id="give">Give points to an employee</h2>
<form method="post" action="${at}/give" id="give-one" novalidate>
<input type="hidden" name="key" value="${s.keys.give}">
<label for="give-address">Give to (email or mobile number)</label>
<input id="give-address" name="address" list="employee-addresses" autocomplete="off" required value="${escapeHtml(give.address ?? '')}"${describedBy('give-address', giveError('address'))}>
${fieldError('give-address', giveError('address'))}
<datalist id="employee-addresses">${joined.map((e) => `<option value="${escapeHtml(e.address)}">`).join('')}</datalist>
<label for="give-points">Points</label>
<input id="give-points" name="points" inputmode="numeric" pattern="[0-9]*" required value="${escapeHtml(give.points ?? '')}"${describedBy('give-points', giveError('points'))}>
${fieldError('give-points', giveError('points'))}
<label for="give-note">Note (optional, the employee sees it)</label>
<input id="give-note" name="note" maxlength="200" value="${escapeHtml(give.note ?? '')}"${describedBy('give-note', giveError('note'))}>
${fieldError('give-note', giveError('note'))}
<button type="submit">Give points</button>
</form></section>

<section aria-labelledby="from-file"><h2 id="from-file">Give points from a file</h2>
<form method="post" action="${at}/files" enctype="multipart/form-data" id="give-file">
<input type="hidden" name="key" value="${s.keys.file}">
<label for="file">CSV file</label>
<p class="hint" id="file-hint">One line per employee: their email or mobile number, the points, and a note if you like (the employee sees it),
separated by commas or semicolons, like <code>ann@example.com,100,Thank you</code>. A first line of column names is fine.
Nothing is given unless every line is right.</p>
<input type="file" id="file" name="file" accept=".csv,text/csv" required${describedBy('file', s.file?.reason, 'file-hint')}>
${fileProblems}
<button type="submit">Give the points in the file</button>
</form></section>

<section aria-labelledby="employees-heading" id="employees"><h2 id="employees-heading">Employees</h2>
${
  s.employees.length
    ? `<table><thead><tr><th scope="col">Employee</th><th scope="col">Status</th></tr></thead><tbody>${employeeRows}</tbody></table>`
    : '<p>No employees yet.</p>'
}
<form method="post" action="${at}/employees" novalidate>
<label for="employee-address">Add an employee by email or mobile number</label>
<p class="hint" id="employee-hint">Someone who has not joined yet is invited: they join by signing in at /member with this address, then they can receive points.</p>
<input id="employee-address" name="address" autocomplete="off" required value="${escapeHtml(s.employee?.values.address ?? '')}"${describedBy('employee-address', s.employee?.reason, 'employee-hint')}>
${fieldError('employee-address', s.employee?.reason)}
<button type="submit">Add employee</button>
</form></section>`,
    signedIn,
  );
}

/** What one upload gave, line by line. */
export function givenFilePage(company: Company, lines: GivenLine[], againAt: Date | null): string {
  const total = lines.reduce((sum, l) => sum + l.points, 0);
  const people = new Set(lines.map((l) => l.employeeId)).size;
  const said = againAt
    ? `This file was already given on ${day(againAt)}: nothing more was given.`
    : `${points(total)} points given to ${people} employee${people === 1 ? '' : 's'}.`;
  const rows = lines
    .map(
      (l) =>
        `<tr><td class="num">${l.line}</td>${address(l.address)}</td><td class="num">${points(l.points)}</td><td>${escapeHtml(l.note ?? '')}</td></tr>`,
    )
    .join('');
  return memberPage(
    'Points given',
    `<h1>Points given from your file</h1><p role="status"><strong>${said}</strong></p>
<table><thead><tr><th scope="col" class="num">Line</th><th scope="col">Employee</th><th scope="col" class="num">Points</th><th scope="col">Note</th></tr></thead>
<tbody>${rows}</tbody></table>
<p><a href="${base(company)}">Back to ${escapeHtml(company.name)}</a> · <a href="${base(company)}/report">What each employee received</a></p>`,
    signedIn,
  );
}

export interface ReportState {
  company: Company;
  /** Both days included (UTC). */
  from: string;
  to: string;
  error?: string;
  employees: ReportLine[];
  total: number;
  times: number;
}

const statusWords: Record<ReportLine['status'], string> = { joined: '', invited: 'invited', removed: 'no longer an employee' };

/** What each employee received in a period, with the period to choose and the CSV of it. */
export function reportPage(r: ReportState): string {
  const query = new URLSearchParams({ from: r.from, to: r.to }).toString();
  const rows = r.employees
    .map(
      (e) =>
        `<tr>${address(e.address)}${statusWords[e.status] ? ` <span class="hint">(${statusWords[e.status]})</span>` : ''}</td><td class="num">${points(e.points)}</td><td class="num">${e.times}</td></tr>`,
    )
    .join('');
  return memberPage(
    'What each employee received',
    `<h1>What each employee received</h1>
<p>${escapeHtml(r.company.name)}, from ${r.from} to ${r.to} (both included), net of any points customer care took back.</p>
<form method="get" action="${base(r.company)}/report" novalidate>
<label for="from">From</label><input type="date" id="from" name="from" value="${r.from}"${describedBy('from', r.error)}>
<label for="to">To</label><input type="date" id="to" name="to" value="${r.to}">
${fieldError('from', r.error)}
<button type="submit">Show</button></form>
<table><caption class="hint">Points given per employee</caption>
<thead><tr><th scope="col">Employee</th><th scope="col" class="num">Points</th><th scope="col" class="num">Times</th></tr></thead>
<tbody>${rows}</tbody>
<tfoot><tr><th scope="row">Total</th><td class="num">${points(r.total)}</td><td class="num">${r.times}</td></tr></tfoot></table>
<p><a href="${base(r.company)}/report.csv?${escapeHtml(query)}" download>Download as CSV</a> · <a href="${base(r.company)}">Back to ${escapeHtml(r.company.name)}</a></p>`,
    signedIn,
  );
}

/** The report as CSV (RFC 4180), for a spreadsheet. */
export function reportCsv(employees: ReportLine[]): string {
  return csvDocument(
    ['employee', 'status', 'points', 'times'],
    employees.map((e) => [e.address, e.status, e.points, e.times]),
  );
}
