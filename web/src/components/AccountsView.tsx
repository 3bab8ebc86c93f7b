/**
 * Accounts (`GET /v1/accounts`, enable / disable), the last `/info` of each (`GET
 * /v1/accounts/info`: plan and fast time left with their age; "Refresh" reads it again) and the
 * Discord rate limiter and circuit breaker (`GET /health` with the key), read every few seconds
 * while the view is open.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiError, api } from '../api.js';
import { formatAge, formatCount, formatDuration } from '../format.js';
import { ratePerSecond } from '../series.js';
import {
  type AccountInfoSummary,
  type AccountsInfoAnswer,
  type AccountView,
  type HealthReport,
  INVALID_REQUEST_BAN_LINE,
  type LimiterSummary,
} from '../types.js';

const POLL_MS = 3_000;
const INFO_EVERY = 5;

function limiters(report: HealthReport | null): [string, LimiterSummary][] {
  const r = report?.rateLimiter;
  if (!r) return [];
  return 'accounts' in r ? Object.entries(r.accounts) : [['Discord', r]];
}

const sum429 = (l: LimiterSummary): number => Object.values(l.totals.rateLimited).reduce((a, b) => a + b, 0);

export function AccountsView() {
  const [accounts, setAccounts] = useState<AccountView[] | null>(null);
  const [accountsError, setAccountsError] = useState<ApiError | null>(null);
  const [health, setHealth] = useState<HealthReport | null>(null);
  const [rates, setRates] = useState<Record<string, number>>({});
  const previous = useRef(new Map<string, { at: number; total: number }>());
  const [busy, setBusy] = useState<string | null>(null);
  const [info, setInfo] = useState<AccountsInfoAnswer | null>(null);
  /** Per account: the refresh under way, or why the last one failed. */
  const [infoNote, setInfoNote] = useState<Record<string, string>>({});

  const polls = useRef(0);

  const load = async (): Promise<void> => {
    // The /info answers change only when someone reads them again: every INFO_EVERY-th poll is
    // enough (each call takes a token of the key's request limit).
    const readInfo = polls.current++ % INFO_EVERY === 0;
    const [a, h, i] = await Promise.allSettled([
      api<{ accounts: AccountView[] }>('/v1/accounts'),
      api<HealthReport>('/health'),
      readInfo
        ? api<AccountsInfoAnswer>('/v1/accounts/info')
        : Promise.reject(new Error('not read this time')),
    ]);
    if (i.status === 'fulfilled') setInfo(i.value);
    if (a.status === 'fulfilled') {
      setAccounts(a.value.accounts);
      setAccountsError(null);
    } else setAccountsError(a.reason as ApiError);
    if (h.status === 'fulfilled') {
      const now = Date.now();
      const next: Record<string, number> = {};
      for (const [name, l] of limiters(h.value)) {
        next[name] = ratePerSecond(previous.current.get(name) ?? null, now, l.totals.requests);
        previous.current.set(name, { at: now, total: l.totals.requests });
      }
      setRates(next);
      setHealth(h.value);
    }
  };
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, []);

  const toggle = async (account: AccountView): Promise<void> => {
    setBusy(account.id);
    try {
      const action = account.state === 'enabled' ? 'disable' : 'enable';
      const view = await api<AccountView>(`/v1/accounts/${encodeURIComponent(account.id)}/${action}`, {
        method: 'POST',
      });
      setAccounts((held) => held?.map((a) => (a.id === view.id ? view : a)) ?? null);
    } catch (e) {
      setAccountsError(e as ApiError);
    } finally {
      setBusy(null);
    }
  };

  const refreshInfo = async (id: string): Promise<void> => {
    setInfoNote((n) => ({ ...n, [id]: 'reading /info…' }));
    try {
      const read = await api<{ id: string; info: AccountInfoSummary }>(
        `/v1/accounts/${encodeURIComponent(id)}/info`,
        { method: 'POST' },
      );
      setInfo((held) =>
        held === null
          ? held
          : { ...held, accounts: held.accounts.map((x) => (x.id === id ? { id, info: read.info } : x)) },
      );
      setInfoNote(({ [id]: _, ...rest }) => rest);
    } catch (e) {
      const error = e as ApiError;
      const note =
        error.code === 'INFO_UNSUPPORTED'
          ? '/info is not supported on this pool'
          : `${error.name}: ${error.message}`;
      setInfoNote((n) => ({ ...n, [id]: note }));
    }
  };
  const infoOf = (id: string): AccountInfoSummary | null =>
    info?.accounts.find((x) => x.id === id)?.info ?? null;

  return (
    <section>
      <h2>Accounts</h2>
      {accountsError?.code === 'ACCOUNTS_NOT_CONFIGURED' ? (
        <p class="empty">One account from DISCORD_*; set MJ_ACCOUNTS_FILE to run and manage several.</p>
      ) : accountsError ? (
        <p class="error" role="alert">
          <strong>{accountsError.name}</strong> {accountsError.message}
        </p>
      ) : null}
      {accounts && (
        <table data-testid="accounts">
          <thead>
            <tr>
              <th>Account</th>
              <th>State</th>
              <th>Reason</th>
              <th>Mode</th>
              <th>Slots</th>
              <th>Jobs today</th>
              <th>Fast time left (/info)</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => (
              <tr key={a.id} data-testid="account-row" data-account={a.id} data-state={a.state}>
                <td>{a.id}</td>
                <td>
                  <span class={`state ${a.state}`}>{a.state}</span>
                </td>
                <td>
                  {a.disabledReason ?? ''}
                  {a.disabledMessage ? `: ${a.disabledMessage}` : ''}
                </td>
                <td>{a.mode}</td>
                <td>
                  {a.slots.busy}/{a.slots.total}
                </td>
                <td>
                  {a.jobsToday}
                  {a.dailyJobCap > 0 ? ` / ${a.dailyJobCap}` : ''}
                </td>
                <td data-testid="account-info">
                  <FastTime info={infoOf(a.id)} />
                  {infoNote[a.id] && <span class="note"> {infoNote[a.id]}</span>}{' '}
                  {info?.supported === false ? (
                    <span class="note">/info is not supported on this pool</span>
                  ) : (
                    <button type="button" class="quiet" onClick={() => refreshInfo(a.id)}>
                      Refresh
                    </button>
                  )}
                </td>
                <td>
                  <button type="button" disabled={busy === a.id} onClick={() => toggle(a)}>
                    {a.state === 'enabled' ? 'Disable' : 'Enable'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Discord rate limiter</h2>
      {health && (
        <p data-testid="circuit">
          Circuit breaker: <span class={`state ${health.circuit.state}`}>{health.circuit.state}</span>
          {health.circuit.lastFailure ? ` (last failure: ${health.circuit.lastFailure})` : ''}
          {health.slots
            ? ` · slots ${health.slots.inUse}/${health.slots.limit}, ${health.slots.queueDepth} waiting`
            : ''}
        </p>
      )}
      <table data-testid="limiters">
        <thead>
          <tr>
            <th>Limiter</th>
            <th>Calls/s</th>
            <th>Calls</th>
            <th>429s</th>
            <th>Invalid requests (10 min)</th>
            <th>Buckets</th>
            <th>Queue</th>
            <th>Global pause</th>
          </tr>
        </thead>
        <tbody>
          {limiters(health).map(([name, l]) => (
            <tr key={name}>
              <td>{name}</td>
              <td>{(rates[name] ?? 0).toFixed(1)}</td>
              <td>{formatCount(l.totals.requests)}</td>
              <td>{formatCount(sum429(l))}</td>
              <td>
                <meter
                  min={0}
                  max={INVALID_REQUEST_BAN_LINE}
                  high={INVALID_REQUEST_BAN_LINE / 2}
                  value={l.invalidRequestsInWindow}
                />{' '}
                {formatCount(l.invalidRequestsInWindow)} / {formatCount(INVALID_REQUEST_BAN_LINE)}
              </td>
              <td>
                {l.buckets} ({l.exhaustedBuckets} exhausted)
              </td>
              <td>
                {l.queueDepth} queued, {l.inFlight} in flight
              </td>
              <td>{l.globalPausedForMs > 0 ? formatDuration(l.globalPausedForMs) : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function FastTime({ info }: { info: AccountInfoSummary | null }) {
  if (info === null) return <span class="empty">not read yet</span>;
  const fast = info.fastTimeRemaining;
  return (
    <span title={info.plan ?? ''}>
      {fast === null ? 'unknown' : `${fast.hours} / ${fast.totalHours} h (${fast.percent}%)`}
      {info.plan ? ` · ${info.plan}` : ''} <small>read {formatAge(info.readAt, Date.now())}</small>
    </span>
  );
}
