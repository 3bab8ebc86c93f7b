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
import { accountIdParams, notConfigured, unknownAccount } from './routes-accounts.js';

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
  app.get('/v1/accounts/info', async (_request, reply) => {
    const accounts = ctx.accounts;
    if (accounts === undefined) return notConfigured(reply);
    return {
      supported: accounts.info !== undefined,
      accounts: accounts.accounts().map((a) => ({ id: a.id, info: ctx.accountInfo.get(a.id) })),
    };
  });

  app.post<{ Params: { id: string } }>(
    '/v1/accounts/:id/info',
    { schema: { params: accountIdParams } },
    async (request, reply) => {
      const accounts = ctx.accounts;
      if (accounts === undefined) return notConfigured(reply);
      const { id } = request.params;
      if (accounts.account(id) === undefined) return unknownAccount(reply, id);
      const refund = takeSubmission(ctx, request.clientId);
      let read: ReturnType<NonNullable<typeof accounts.info>>;
      try {
        read = accounts.info?.(id, { signal: ctx.shutdown });
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
