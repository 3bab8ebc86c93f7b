/** Submits a prompt (`POST /v1/imagine`) to the bot chosen; a refusal shows its typed error under the form. */
import { useState } from 'preact/hooks';
import { type ApiError, api } from '../api.js';
import type { JobView } from '../types.js';

export function SubmitForm({ onCreated }: { onCreated: (job: JobView) => void }) {
  const [prompt, setPrompt] = useState('');
  const [bot, setBot] = useState<'midjourney' | 'niji'>('midjourney');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { id } = await api<{ id: string }>('/v1/imagine', {
        method: 'POST',
        body: { prompt, botType: bot },
      });
      onCreated(await api<JobView>(`/v1/jobs/${id}`));
      setPrompt('');
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="submit" onSubmit={submit} data-testid="submit-form">
      <input
        name="prompt"
        placeholder="A prompt, e.g. a lighthouse at dawn --ar 16:9"
        aria-label="Prompt"
        value={prompt}
        onInput={(e) => {
          setPrompt((e.target as HTMLInputElement).value);
          setError(null);
        }}
      />
      <select
        name="botType"
        aria-label="Bot"
        value={bot}
        onChange={(e) => setBot((e.target as HTMLSelectElement).value === 'niji' ? 'niji' : 'midjourney')}
      >
        <option value="midjourney">Midjourney</option>
        <option value="niji">niji・journey</option>
      </select>
      <button type="submit" disabled={busy || prompt.trim() === ''}>
        Imagine
      </button>
      {error && (
        <p class="error" role="alert" data-testid="submit-error">
          <strong>{error.name}</strong> <code>{error.code}</code> {error.message}
        </p>
      )}
    </form>
  );
}
