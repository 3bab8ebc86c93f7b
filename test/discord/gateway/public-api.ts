// What the type tests import: the gateway's public entry point plus the Discord shapes it uses.

export * from '../../../src/discord/gateway/index.js';
export type { APIMessage } from '../../../src/discord/types.js';
