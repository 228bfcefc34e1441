/**
 * A request for every route of shared/routes.ts, generated from the table (so a new
 * route is swept too): its path with each parameter filled in, and whether it is an
 * API answer (JSON, never cached) or a UI file.
 */
import { routes, routeKey, type Route } from '@shared/routes';

export interface SweepRequest {
  key: string;
  route: Route;
  method: string;
  path: string;
}

/** Fills `{name}` and `{proxy+}` with `values[name]` (default `x`). */
export const fillPath = (path: string, values: Record<string, string> = {}) =>
  path.replace(/\{(\w+)\+?\}/g, (_, name: string) => encodeURIComponent(values[name] ?? 'x'));

export function sweep(values: Record<string, string> = {}): SweepRequest[] {
  return routes.map((route) => ({ key: routeKey(route), route, method: route.method, path: fillPath(route.path, values) }));
}

/** The UI's files (index.html and hashed assets) set their own caching; everything else is the API. */
export const isUiFile = (r: Route) => r.fn === 'ui' && r.path !== '/healthz';
