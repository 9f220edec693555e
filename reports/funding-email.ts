import type { FundingAlertDue } from '../loyalty/funding-alerts.js';

const number = new Intl.NumberFormat('en');

/** The partner's "top up your points" email, or the one of a funding source's keeper. */
export function fundingAlertEmail(alert: FundingAlertDue) {
  if (alert.fundingSourceId) return sourceAlertEmail(alert);
  return alert.level === 'empty'
    ? {
        to: alert.contactEmail!,
        subject: `${alert.partnerName}: your points wallet is empty, the earn widget is paused`,
        text: `Your wallet has no points left, so your customers earn nothing and the earn widget shows itself paused.\nBuy a package to start again.\n\nTessera`,
      }
    : {
        to: alert.contactEmail!,
        subject: `${alert.partnerName}: ${number.format(alert.available)} points left in your wallet`,
        text: `Your wallet is under your alert level of ${number.format(alert.threshold)} points (${number.format(alert.available)} left).\nTop it up before it runs out: at zero your customers stop earning.\n\nTessera`,
      };
}

function sourceAlertEmail(alert: FundingAlertDue) {
  const name = alert.sourceName!;
  return alert.level === 'empty'
    ? {
        to: alert.contactEmail!,
        subject: `${name}: the funding source is empty, events earning its campaigns are refused`,
        text: `The funding source ${name} has no points left, so every event that would earn points it pays is refused.\nAllocate points to it, or choose another source for its campaigns and bonuses.\n\nTessera`,
      }
    : {
        to: alert.contactEmail!,
        subject: `${name}: ${number.format(alert.available)} points left in the funding source`,
        text: `The funding source ${name} is under its alert level of ${number.format(alert.threshold)} points (${number.format(alert.available)} left).\nAllocate points to it before it runs out: at zero, events earning its campaigns are refused.\n\nTessera`,
      };
}
