/**
 * Fast time left per account: `GET /v1/accounts/info` answers the last `/info` read of each
 * account with its time (../accounts/account-info-book.ts); `POST /v1/accounts/:id/info` reads it
 * again (one `/info` in the account's channel, charged to the caller's submissions bucket like the
 * other commands). A pool whose clients cannot run `/info` says so: `supported: false`, and 501
 * `INFO_UNSUPPORTED` on a read. Without an account pool both answer 404 `ACCOUNTS_NOT_CONFIGURED`
 * (the service's one account has `GET /v1/info`).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { commandFailure } from '../commands/error-body.js';
import { type ServiceContext, takeSubmission } from '../context.js';
import { ACCOUNTS_TAG, commonErrors, errorAnswer, objectAnswer } from './answer-schemas.js';
import { accountIdParams, notConfigured, unknownAccount } from './routes-accounts.js';

const INFO_EXAMPLE = {
  plan: 'Standard (Active monthly, renews next on <t:1767225600>)',
  jobMode: 'Fast',
  visibility: 'Public',
  fastTimeRemaining: { hours: 11.4, totalHours: 15, percent: 76 },
  queuedFast: 0,
  queuedRelax: 0,
  running: 1,
  readAt: '2026-11-29T12:00:00.000Z',
};
const missing = { description: 'ACCOUNTS_NOT_CONFIGURED or UNKNOWN_ACCOUNT', ...errorAnswer } as const;

const listSchema = {
  summary: "Each account's last /info reading (plan, fast time left), with its time",
  tags: [ACCOUNTS_TAG],
  response: {
    200: objectAnswer('`{ supported, accounts: [{ id, info }] }` (`info` null until read)', {
      supported: true,
      accounts: [{ id: 'main', info: INFO_EXAMPLE }],
    }),
    404: missing,
    ...commonErrors,
  },
} as const;

const readSchema = {
  summary: "Run /info on an account now and remember it (one command in the account's channel)",
  tags: [ACCOUNTS_TAG],
  params: accountIdParams,
  response: {
    200: objectAnswer('`{ id, info }`', { id: 'main', info: INFO_EXAMPLE }),
    404: missing,
    501: { description: 'INFO_UNSUPPORTED: the account cannot run /info on this pool', ...errorAnswer },
    ...commonErrors,
  },
} as const;

function unsupported(reply: FastifyReply, id: string) {
  return reply.code(501).send({
    error: {
      name: 'NotImplemented',
      code: 'INFO_UNSUPPORTED',
      message: `The client of account "${id}" cannot run /info on this pool`,
    },
  });
}

export async function registerAccountInfoRoutes(app: FastifyInstance, ctx: ServiceContext): Promise<void> {
  app.get('/v1/accounts/info', { schema: listSchema }, async (_request, reply) => {
    const accounts = ctx.accounts;
    if (accounts === undefined) return notConfigured(reply);
    return {
      supported: accounts.readInfo !== undefined,
      accounts: accounts.accounts().map((a) => ({ id: a.id, info: ctx.accountInfo.get(a.id) })),
    };
  });

  app.post<{ Params: { id: string } }>(
    '/v1/accounts/:id/info',
    { schema: readSchema },
    async (request, reply) => {
      const accounts = ctx.accounts;
      if (accounts === undefined) return notConfigured(reply);
      const { id } = request.params;
      if (accounts.account(id) === undefined) return unknownAccount(reply, id);
      const refund = await takeSubmission(ctx, request.clientId);
      let read: ReturnType<NonNullable<typeof accounts.readInfo>>;
      try {
        read = accounts.readInfo?.(id, { signal: ctx.shutdown });
      } catch (error) {
        refund();
        throw error;
      }
      if (read === undefined) {
        refund();
        return unsupported(reply, id);
      }
      try {
        return { id, info: ctx.accountInfo.remember(id, await read, ctx.now()) };
      } catch (error) {
        const failure = commandFailure(error);
        if (failure === undefined) throw error;
        return reply.code(failure.status).send(failure.body);
      }
    },
  );
}
