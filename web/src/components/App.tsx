/**
 * The dashboard's shell: the key gate, the header with the live connection, the tabs (hash
 * routes, so a reload keeps the view) and the submit form.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { keyStore } from '../api.js';
import { useJobs } from '../use-jobs.js';
import { AccountsView } from './AccountsView.js';
import { Gallery } from './Gallery.js';
import { JobDetail } from './JobDetail.js';
import { JobsView } from './JobsView.js';
import { KeyGate } from './KeyGate.js';
import { StatsView } from './StatsView.js';
import { SubmitForm } from './SubmitForm.js';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = (): void => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

export function App() {
  const [hasKey, setHasKey] = useState(keyStore.get() !== null);
  const signOut = useCallback(() => {
    keyStore.clear();
    setHasKey(false);
  }, []);
  if (!hasKey) return <KeyGate onKey={() => setHasKey(true)} />;
  return <Dashboard signOut={signOut} />;
}

const TABS = [
  ['#/jobs', 'Jobs'],
  ['#/gallery', 'Gallery'],
  ['#/accounts', 'Accounts & limits'],
  ['#/stats', 'Plots'],
] as const;

function Dashboard({ signOut }: { signOut: () => void }) {
  const live = useJobs(signOut);
  const hash = useHash();
  const route = hash === '' ? '#/jobs' : hash;
  const detail = /^#\/jobs\/(\d+)$/.exec(route)?.[1];
  return (
    <div class="shell">
      <header>
        <h1>mjw</h1>
        <nav>
          {TABS.map(([href, label]) => (
            <a key={href} href={href} class={route.startsWith(href) ? 'tab current' : 'tab'}>
              {label}
            </a>
          ))}
        </nav>
        {live.apiKey !== null && (
          <span class="who" data-testid="whoami" title="The API key this page uses (its name, not the key)">
            key: {live.apiKey}
          </span>
        )}
        <span class={live.connected ? 'live on' : 'live'} data-testid="live">
          {live.connected ? 'live' : 'offline'}
        </span>
        <button type="button" class="quiet" onClick={signOut}>
          Forget key
        </button>
      </header>
      {live.error && (
        <p class="error" role="alert">
          <strong>{live.error.name}</strong> {live.error.message}
        </p>
      )}
      <SubmitForm onCreated={live.upsert} />
      <main>
        {detail !== undefined ? (
          <JobDetail id={detail} live={live} />
        ) : route.startsWith('#/gallery') ? (
          <Gallery jobs={live.jobs} />
        ) : route.startsWith('#/accounts') ? (
          <AccountsView />
        ) : route.startsWith('#/stats') ? (
          <StatsView jobs={live.jobs} />
        ) : (
          <JobsView jobs={live.jobs} apiKey={live.apiKey} />
        )}
      </main>
    </div>
  );
}
