/**
 * The account routes of the /v1 API: `GET /v1/accounts` (state, disabled reason and time, slots
 * busy/total, jobs today, limiter stats; never a token), `POST /v1/accounts/:id/enable` and
 * `POST /v1/accounts/:id/disable`. They exist when the service runs on an account pool
 * (MJ_ACCOUNTS_FILE); otherwise they answer 404 `ACCOUNTS_NOT_CONFIGURED`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AccountDirectory } from '../../accounts/types.js';
import type { ServiceContext } from '../context.js';
import {
  ACCOUNTS_TAG,
  accountAnswer,
  accountListAnswer,
  commonErrors,
  errorAnswer,
} from './answer-schemas.js';

const missing = {
  description: 'ACCOUNTS_NOT_CONFIGURED (no MJ_ACCOUNTS_FILE) or UNKNOWN_ACCOUNT',
  ...errorAnswer,
} as const;

export const accountIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[\\w.-]{1,32}$' } },
} as const;

export function notConfigured(reply: FastifyReply) {
  return reply.code(404).send({
    error: {
      name: 'AccountsNotConfiguredError',
      code: 'ACCOUNTS_NOT_CONFIGURED',
      message: 'The service runs one account from DISCORD_*; set MJ_ACCOUNTS_FILE to manage several',
    },
  });
}

export function unknownAccount(reply: FastifyReply, id: string) {
  return reply.code(404).send({
    error: { name: 'UnknownAccountError', code: 'UNKNOWN_ACCOUNT', message: `No account "${id}"` },
  });
}

export async function registerAccountRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  const directory = (): AccountDirectory | undefined => ctx.accounts;

  const listSchema = {
    summary: 'The accounts of the pool',
    tags: [ACCOUNTS_TAG],
    response: { 200: { description: 'Every account', ...accountListAnswer }, 404: missing, ...commonErrors },
  };
  app.get('/v1/accounts', { schema: listSchema }, async (_request, reply) => {
    const accounts = directory();
    if (accounts === undefined) return notConfigured(reply);
    return { accounts: accounts.accounts(), waiting: accounts.waiting };
  });

  for (const action of ['enable', 'disable'] as const) {
    app.post<{ Params: { id: string } }>(
      `/v1/accounts/:id/${action}`,
      {
        schema: {
          summary: `${action === 'enable' ? 'Enable' : 'Disable'} an account`,
          tags: [ACCOUNTS_TAG],
          params: accountIdParams,
          response: { 200: { description: 'The account', ...accountAnswer }, 404: missing, ...commonErrors },
        },
      },
      async (request, reply) => {
        const accounts = directory();
        if (accounts === undefined) return notConfigured(reply);
        const { id } = request.params;
        if (accounts.account(id) === undefined) return unknownAccount(reply, id);
        const view = await (action === 'enable' ? accounts.enable(id) : accounts.disable(id, 'manual'));
        request.log.warn({ account: id, by: request.clientId }, `account ${action}d through the API`);
        return view;
      },
    );
  }
}
