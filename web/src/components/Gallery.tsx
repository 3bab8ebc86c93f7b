/** The finished images: lazy thumbnails; one opened shows its four images, prompt and parameters. */
import { useState } from 'preact/hooks';
import { splitPrompt } from '../format.js';
import type { JobView } from '../types.js';

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export function Gallery({ jobs }: { jobs: JobView[] }) {
  const done = jobs.filter((j) => j.status === 'succeeded' && j.result !== null);
  const [open, setOpen] = useState<string | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const opened = done.find((j) => j.id === open);
  return (
    <section>
      {opened?.result && (
        <div class="opened" data-testid="gallery-open">
          <div class="four">
            {(opened.result.imageUrls.length > 0 ? opened.result.imageUrls : [opened.result.imageUrl]).map(
              (url, i) => (
                <a key={url} href={url} download target="_blank" rel="noreferrer">
                  <img loading="lazy" src={url} alt={`${i + 1} of 4: ${opened.prompt}`} />
                </a>
              ),
            )}
          </div>
          <p class="prompt">{splitPrompt(opened.prompt).text}</p>
          <p>
            {splitPrompt(opened.prompt).parameters.map(([k, v]) => (
              <code key={k}>
                --{k} {v}
              </code>
            ))}
          </p>
          <a href={opened.result.imageUrl} download target="_blank" rel="noreferrer">
            Download grid
          </a>{' '}
          <button
            type="button"
            onClick={async () => setCopied((await copy(opened.prompt)) ? opened.id : null)}
          >
            {copied === opened.id ? 'Copied' : 'Copy prompt'}
          </button>{' '}
          <a href={`#/jobs/${opened.id}`}>Open job</a>{' '}
          <button type="button" class="quiet" onClick={() => setOpen(null)}>
            Close
          </button>
        </div>
      )}
      <div class="gallery" data-testid="gallery">
        {done.map((job) => (
          <button type="button" key={job.id} class="tile" onClick={() => setOpen(job.id)} title={job.prompt}>
            <img loading="lazy" src={job.result!.imageUrl} alt={job.prompt} width={160} height={160} />
          </button>
        ))}
      </div>
      {done.length === 0 && <p class="empty">No finished images yet.</p>}
    </section>
  );
}
