/**
 * Asks for an API key once per browser tab and keeps it in sessionStorage. A service without keys
 * (loopback only) is recognised by answering without one, and no key is asked for.
 */
import { useEffect, useState } from 'preact/hooks';
import { type ApiError, api, keyStore } from '../api.js';

export function KeyGate({ onKey }: { onKey: () => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api('/v1/jobs?limit=1', { key: null }).then(
      () => {
        keyStore.set('');
        onKey();
      },
      () => {},
    );
  }, [onKey]);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const key = value.trim();
    try {
      await api('/v1/jobs?limit=1', { key });
      keyStore.set(key);
      onKey();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="gate" onSubmit={submit} data-testid="key-gate">
      <h1>mjw dashboard</h1>
      <p>Enter one of the service's API keys (MJW_API_KEYS). It is kept in this tab only.</p>
      <input
        type="password"
        name="apiKey"
        autocomplete="off"
        placeholder="API key"
        aria-label="API key"
        value={value}
        onInput={(e) => setValue((e.target as HTMLInputElement).value)}
      />
      <button type="submit" disabled={busy || value.trim() === ''}>
        Open
      </button>
      {error && (
        <p class="error" role="alert">
          <strong>{error.name}</strong> {error.message}
        </p>
      )}
    </form>
  );
}
