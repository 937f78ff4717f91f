// The faxgate web service client: openapi-fetch typed by client/schema.d.ts (generated from the OpenAPI document by
// `npm run -s api:client`, never by hand), with the account's API key as a bearer token. The project's own API
// tests call the server through it, so the document and the server cannot drift.
import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './schema.js';

export type { paths, components } from './schema.js';
export type FaxgateClient = Client<paths>;

/** A client for `baseUrl` (e.g. http://localhost:8080); `apiKey` is sent as `Authorization: Bearer`. */
export function createFaxgateClient(baseUrl: string, apiKey?: string, options: Omit<ClientOptions, 'baseUrl'> = {}): FaxgateClient {
  const headers = { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...(options.headers as Record<string, string> | undefined) };
  return createClient<paths>({ ...options, baseUrl, headers });
}
