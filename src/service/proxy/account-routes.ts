/**
 * midjourney-proxy's account routes: `GET /mj/account/list` and `GET /mj/account/{id}/fetch`, in
 * its DiscordAccount field names (`guildId`, `channelId`, `enable`, `coreSize`, `queueSize`), with
 * this service's facts in `properties`. The proxy's `userToken` is never returned.
 */
import type { FastifyInstance } from 'fastify';
import type { AccountView } from '../../accounts/types.js';
import type { ServiceContext } from '../context.js';
import { proxyAccountSchemas, proxyRoute } from './answer-schemas.js';
import { ProxyCode, result } from './submit-result.js';

export interface ProxyAccount {
  id: string;
  guildId: string | null;
  channelId: string;
  enable: boolean;
  /** Jobs the account runs at once (its slots). */
  coreSize: number;
  /** Jobs waiting for a slot: the pool has one queue for every account. */
  queueSize: number;
  properties: {
    state: AccountView['state'];
    mode: AccountView['mode'];
    disabledReason: string | null;
    disabledAt: number | null;
    running: number;
    jobsToday: number;
    dailyJobCap: number;
  };
}

export function toProxyAccount(view: AccountView, waiting: number): ProxyAccount {
  return {
    id: view.id,
    guildId: view.guildId,
    channelId: view.channelId,
    enable: view.state === 'enabled',
    coreSize: view.slots.total,
    queueSize: waiting,
    properties: {
      state: view.state,
      mode: view.mode,
      disabledReason: view.disabledReason,
      disabledAt: view.disabledAt,
      running: view.slots.busy,
      jobsToday: view.jobsToday,
      dailyJobCap: view.dailyJobCap,
    },
  };
}

export async function registerProxyAccountRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const listSchema = proxyRoute('The accounts of the pool ([] on one account)', proxyAccountSchemas.list);
  app.get('/mj/account/list', { schema: listSchema }, async () => {
    const accounts = ctx.accounts;
    if (accounts === undefined) return [];
    return accounts.accounts().map((view) => toProxyAccount(view, accounts.waiting));
  });

  const fetchSchema = proxyRoute('One account of the pool', proxyAccountSchemas.one);
  app.get<{ Params: { id: string } }>(
    '/mj/account/:id/fetch',
    { schema: fetchSchema },
    async (request, reply) => {
      const accounts = ctx.accounts;
      const view = accounts?.account(request.params.id);
      if (accounts === undefined || view === undefined) {
        return reply.code(404).send(result(ProxyCode.NotFound, 'Account not found'));
      }
      return toProxyAccount(view, accounts.waiting);
    },
  );
}
