import { BaseEntity, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintNumber } from './number-columns.js';

/**
 * reading: uploaded, its workflow reads it; awarded: its points were paid; review: a care agent
 * must look at it; rejected: refused with a reason the member sees.
 */
export const receiptStatuses = ['reading', 'awarded', 'review', 'rejected'] as const;
export type ReceiptStatus = (typeof receiptStatuses)[number];

/** Why a receipt waits for care instead of paying by itself. */
export const receiptReviewReasons = [
  'low_confidence',
  'unreadable',
  'unknown_store',
  'duplicate',
  'likely_duplicate',
  'date_refused',
  'award_refused',
] as const;
export type ReceiptReviewReason = (typeof receiptReviewReasons)[number];

export const receiptSources = ['dashboard', 'api'] as const;
export type ReceiptSource = (typeof receiptSources)[number];

/** A line read from a receipt. */
export interface ReceiptLine {
  label: string;
  cents: number;
}

/**
 * A photo or scan of a receipt a member sent as proof of a purchase: what was read from it, the
 * partner and point of sale it was matched to, and what became of it. The image itself lives in
 * the image store under `imageKey` until `imageDeletedAt`.
 */
@Entity({ name: 'receipt' })
@Index('receipt_member', ['memberId', 'uploadedAt'])
@Index('receipt_review_queue', ['uploadedAt'], { where: `"status" = 'review'` })
@Index('receipt_fingerprint', ['fingerprint'])
@Index('receipt_image_kept', ['uploadedAt'], { where: `"imageDeletedAt" IS NULL` })
// What a receipt paid: a store purchase it may have been (storePurchase) is found by its event.
@Index('receipt_event', ['eventId'])
export class Receipt extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  memberId: string;

  @Column({ type: 'text' })
  source: ReceiptSource;

  /** The partner whose app sent it (source api). */
  @Column({ type: 'uuid', nullable: true })
  uploadedByPartnerId: string | null;

  @Column({ type: 'text', default: 'reading' })
  status: ReceiptStatus;

  @Column({ type: 'text' })
  imageKey: string;

  @Column({ type: 'text' })
  imageType: string;

  /** The OCR's text and its mean word confidence (0–100), once read. */
  @Column({ type: 'text', nullable: true })
  text: string | null;

  @Column({ type: 'integer', nullable: true })
  confidence: number | null;

  /** The store's name as printed. */
  @Column({ type: 'text', nullable: true })
  storeName: string | null;

  @Column({ type: 'date', nullable: true })
  purchasedOn: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigintNumber })
  totalCents: number | null;

  @Column({ type: 'jsonb', default: [] })
  lines: ReceiptLine[];

  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  @Column({ type: 'uuid', nullable: true })
  pointOfSaleId: string | null;

  /** Hash of the normalised text, store, date and total: the same receipt sent twice has the same one. */
  @Column({ type: 'text', nullable: true })
  fingerprint: string | null;

  @Column({ type: 'text', nullable: true })
  reviewReason: ReceiptReviewReason | null;

  /** Told to the member when care rejects it. */
  @Column({ type: 'text', nullable: true })
  rejectionReason: string | null;

  /**
   * Why care paid it though the store had sent a purchase of the same day and total ("two coffees:
   * one through the app, one paid cash"); null when nothing looked paid already.
   */
  @Column({ type: 'text', nullable: true })
  acceptedAnywayReason: string | null;

  /** The purchase event that paid it. */
  @Column({ type: 'uuid', nullable: true })
  eventId: string | null;

  /**
   * When the store sent this very purchase through its own API, after the receipt had paid it: the
   * store was answered with the receipt's event, and nothing was paid twice.
   */
  @Column({ type: 'timestamptz', nullable: true })
  confirmedByStoreAt: Date | null;

  @Column({ type: 'integer', nullable: true })
  points: number | null;

  /** The care agent who accepted, corrected or rejected it. */
  @Column({ type: 'uuid', nullable: true })
  reviewedBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  uploadedAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  imageDeletedAt: Date | null;
}
