import type { Route } from '../registry/route';
import { authRoutes } from './auth';
import type { RouteDeps } from './deps';
import { docsRoutes } from './docs';
import { orderRoutes } from './orders';
import { productRoutes } from './products';
import { stockRoutes } from './stock';
import { systemRoutes } from './system';
import { userRoutes } from './users';

/** The one route registry: what is mounted and what is documented. */
export function buildRegistry(deps: RouteDeps): Route[] {
  const routes: Route[] = [
    ...systemRoutes(deps),
    ...authRoutes(deps),
    ...userRoutes(deps),
    ...productRoutes(deps),
    ...stockRoutes(deps),
    ...orderRoutes(deps),
  ];
  routes.push(...docsRoutes(() => routes));
  return routes;
}
