import type { Router } from 'express';
import { apiCodes, sendProblem } from './problem.js';

/**
 * Answers 405, with `Allow`, for a method the router has no route for on a path it routes. Call it
 * after the routes are defined: the allowed methods are read from the router itself.
 */
export function refuseOtherMethods(router: Router): void {
  const allowed = new Map<string, Set<string>>();
  for (const layer of router.stack) {
    if (!layer.route) continue;
    const methods = allowed.get(layer.route.path) ?? new Set<string>();
    for (const handler of layer.route.stack) methods.add(handler.method.toUpperCase());
    // Express answers HEAD with the GET route.
    if (methods.has('GET')) methods.add('HEAD');
    allowed.set(layer.route.path, methods);
  }
  for (const [path, methods] of allowed) {
    const allow = [...methods].sort().join(', ');
    router.all(path, (req, res) => {
      res.setHeader('Allow', allow);
      sendProblem(res, {
        status: 405,
        title: apiCodes.method_not_allowed,
        code: 'method_not_allowed',
        detail: `${req.method} is not allowed on ${req.baseUrl}${req.path}; use ${allow}`,
      });
    });
  }
}
