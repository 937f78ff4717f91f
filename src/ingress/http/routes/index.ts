// The routes of the HTTP API, in registration order; src/web-service.ts adds the web pages and hands the list to the app.
import type { RouteEntry } from '../deps.js';
import { faxesRoutes } from './faxes.js';
import { faxActionsRoutes } from './fax-actions.js';
import { screenRoutes } from './screen.js';
import { settingsRoutes } from './settings.js';
import { adminTypesRoutes } from './admin-types.js';
import { inboundRoutes } from './inbound.js';
import { feedbackRoutes } from './feedback.js';
import { metricsRoutes } from './metrics.js';
import { healthRoutes } from './health.js';
import { carrierRoutes } from './carrier.js';

/**
 * Every route plugin of the API. To add yours: write `src/ingress/http/routes/<name>.ts` exporting a RoutePlugin
 * (full paths such as `/v1/inbound`, a JSON schema on every route, `onRequest: requireAccount(deps.accounts)` or
 * `requireAdmin(...)`, errors thrown as FaxError), add a field to HttpDeps if you need a new dependency, and append
 * one line here.
 */
export const API_ROUTES: readonly RouteEntry[] = [
  { name: 'faxes', plugin: faxesRoutes },
  { name: 'fax-actions', plugin: faxActionsRoutes },
  { name: 'screen', plugin: screenRoutes },
  { name: 'settings', plugin: settingsRoutes },
  { name: 'admin-types', plugin: adminTypesRoutes },
  { name: 'inbound', plugin: inboundRoutes },
  { name: 'feedback', plugin: feedbackRoutes },
  { name: 'metrics', plugin: metricsRoutes },
  { name: 'health', plugin: healthRoutes },
  { name: 'carrier', plugin: carrierRoutes },
];
