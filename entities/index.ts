import { LedgerAccount } from './ledger-account.js';
import { LedgerBalance } from './ledger-balance.js';
import { LedgerTransfer } from './ledger-transfer.js';
import { LotConsumption } from './lot-consumption.js';
import { Member } from './member.js';
import { Partner } from './partner.js';
import { PointLot } from './point-lot.js';
import { Reward } from './reward.js';
import { StaffUser } from './staff-user.js';

export { LedgerAccount, LedgerBalance, LedgerTransfer, LotConsumption, Member, Partner, PointLot, Reward, StaffUser };
export type { AccountKind } from './ledger-account.js';
export { transferKinds, transferPhases } from './ledger-transfer.js';
export type { RuleExplanation, TransferKind, TransferPhase, TransferReferences } from './ledger-transfer.js';
export type { StaffRole } from './staff-user.js';

export const entities = [
  Partner,
  Member,
  Reward,
  StaffUser,
  LedgerAccount,
  LedgerBalance,
  LedgerTransfer,
  PointLot,
  LotConsumption,
];
