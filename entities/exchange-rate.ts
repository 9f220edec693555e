import { BaseEntity, Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { decimalNumber } from './number-columns.js';

/**
 * What one unit of `fromCurrency` is worth in `toCurrency` from `validFrom` on (until the next rate
 * of the pair). The operator keeps them; events in another currency are converted at them.
 */
@Entity({ name: 'exchange_rate' })
@Unique('exchange_rate_pair_date', ['fromCurrency', 'toCurrency', 'validFrom'])
@Check('exchange_rate_positive', '"rate" > 0')
@Check('exchange_rate_codes', `"fromCurrency" ~ '^[A-Z]{3}$' AND "toCurrency" ~ '^[A-Z]{3}$' AND "fromCurrency" <> "toCurrency"`)
export class ExchangeRate extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  fromCurrency: string;

  @Column({ type: 'text' })
  toCurrency: string;

  @Column({ type: 'numeric', precision: 18, scale: 8, transformer: decimalNumber })
  rate: number;

  @Column({ type: 'timestamptz' })
  validFrom: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
