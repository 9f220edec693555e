import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * A write a partner made through the API, kept with its response so that a retry with the same
 * Idempotency-Key gets the same answer and changes nothing.
 */
@Entity({ name: 'api_request' })
@Unique('api_request_idempotency', ['partnerId', 'idempotencyKey'])
export class ApiRequest extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  partnerId: string;

  @Column({ type: 'text' })
  idempotencyKey: string;

  /** Hash of method, path and body: the same key with another request is a conflict. */
  @Column({ type: 'text' })
  requestHash: string;

  @Column({ type: 'integer' })
  status: number;

  /** Null only while the request is being handled, inside its transaction. */
  @Column({ type: 'jsonb', nullable: true })
  response: object | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
