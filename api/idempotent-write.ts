import type { Request, Response } from 'express';
import type { DataSource, EntityManager } from 'typeorm';
import { ApiRequest } from '../entities/index.js';
import { requestHash } from '../loyalty/ledger/request.js';
import { inTransaction } from '../loyalty/ledger/transaction.js';
import { queuedBy } from '../loyalty/outbox.js';
import { fieldProblem } from './problem.js';

export interface WriteResult {
  status: number;
  body: object;
}

/** Starts the processes a committed write queued in the outbox (the workflows implement it). */
export interface ProcessStarter {
  dispatch(outboxIds: string[]): Promise<void>;
}

export interface WriteContext {
  dataSource: DataSource;
  processes?: ProcessStarter;
  /** Where faults after the response are reported (a start that failed: the outbox sweep starts it later). */
  logFault: (error: unknown, path: string) => void;
}

/** 1 to 200 visible ASCII characters. */
export const idempotencyKeyPattern = /^[\x21-\x7e]{1,200}$/;

/**
 * Runs a partner's write once per Idempotency-Key: the work and the record of its response
 * commit together, so a retry gets the first response (with `Idempotent-Replayed: true`) and the
 * same key with a different request is a 409. A request is what was parsed from it (`request`: its
 * path parameters and body), so the same JSON with its keys in another order is the same request.
 * A refusal stores nothing: a retry runs again. The processes the write queued start after the
 * commit and the answer.
 */
export async function idempotentWrite(
  context: WriteContext,
  req: Request,
  res: Response,
  request: object,
  work: (manager: EntityManager, requestId: string) => Promise<WriteResult>,
): Promise<void> {
  const { dataSource } = context;
  const { key, hash } = idempotencyOf(req, request);
  const partnerId: string = res.locals.partner.id;
  const outcome = await inTransaction(dataSource, async (manager) => {
    // Claim the key first: a concurrent twin waits on it, then replays what this one answered.
    const claimed = await manager
      .createQueryBuilder()
      .insert()
      .into(ApiRequest)
      .values({ partnerId, idempotencyKey: key, requestHash: hash, status: 0, response: null })
      .orIgnore()
      .returning(['id'])
      .execute();
    const requestId: string | undefined = claimed.raw[0]?.id;
    if (!requestId) {
      const earlier = await manager.findOneByOrFail(ApiRequest, { partnerId, idempotencyKey: key });
      if (earlier.requestHash !== hash) {
        throw fieldProblem(409, 'Idempotency key reused', 'idempotency_key_reused', [
          { field: 'header.Idempotency-Key', message: `"${key}" was already used for a different request` },
        ]);
      }
      return { status: earlier.status, body: earlier.response, replayed: true };
    }
    const result = await work(manager, requestId);
    await manager.update(ApiRequest, { id: requestId }, { status: result.status, response: result.body });
    return { ...result, replayed: false, queued: queuedBy(manager) };
  });
  if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
  await answerCommitted(context, req, res, { status: outcome.status, body: outcome.body }, 'queued' in outcome ? outcome.queued : []);
}

/** The request's Idempotency-Key (refused when missing or malformed) and the hash of what it asks. */
export function idempotencyOf(req: Request, request: object): { key: string; hash: string } {
  const key = req.header('idempotency-key');
  if (!key || !idempotencyKeyPattern.test(key)) {
    throw fieldProblem(400, 'Invalid request', 'invalid_request', [
      { field: 'header.Idempotency-Key', message: 'every write needs a key of 1 to 200 visible ASCII characters' },
    ]);
  }
  return { key, hash: requestHash(`${req.method} ${req.baseUrl}${req.route.path}`, request) };
}

/** Answers a write that committed with its idempotency record, then starts the processes it queued. */
export async function answerCommitted(
  { processes, logFault }: WriteContext,
  req: Request,
  res: Response,
  result: { status: number; body: unknown },
  queued: string[],
): Promise<void> {
  res.status(result.status).json(result.body);
  if (queued.length > 0 && processes) await processes.dispatch(queued).catch((error) => logFault(error, req.path));
}
