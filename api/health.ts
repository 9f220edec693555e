import { Router } from 'express';

export type HealthCheck = () => Promise<unknown>;

export interface ComponentHealth {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

async function probe(check: HealthCheck, timeoutMs: number): Promise<ComponentHealth> {
  const started = performance.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: error instanceof Error ? error.message : String(error) };
  }
}

/** GET /health: each component's state; 200 when all answer, 503 when one does not. */
export function healthRouter(checks: Record<string, HealthCheck>, timeoutMs = 3000): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => probe(checks[name]!, timeoutMs)));
    const components = Object.fromEntries(names.map((name, i) => [name, results[i]]));
    const ok = results.every((r) => r.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', components });
  });
  return router;
}
