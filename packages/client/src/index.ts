/** @beckon/client: typed HTTP client of the Beckon REST API. */
export { createClient } from './client.js';
export type { BeckonClient, ClientOptions, Page, Query } from './client.js';
