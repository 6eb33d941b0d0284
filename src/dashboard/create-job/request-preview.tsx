/** "Preview request": the exact CreateJob request the form sends, and the same job as an `aws iot create-job` command. */
import { useState } from 'preact/hooks';
import { cliCommand, type CreateJobRequest } from './job-request.js';

interface Props {
  request: CreateJobRequest;
  open: boolean;
  onToggle(open: boolean): void;
}

export function RequestPreview({ request, open, onToggle }: Props) {
  const path = `/jobs/${encodeURIComponent(request.jobId === '' ? '{jobId}' : request.jobId)}`;
  return (
    <details class="panel cj-section cj-preview" data-testid="request-preview" open={open} onToggle={(e) => onToggle(e.currentTarget.open)}>
      <summary>
        <span class="cj-section-title">Preview request</span>
        <span class="cj-section-summary muted">the JSON sent to the AWS IoT API, and the same job from the AWS CLI</span>
      </summary>
      {open && (
        <div class="cj-preview-body">
          <Snippet title={`PUT ${path}`} text={JSON.stringify(request.body, null, 2)} testId="preview-json" />
          <Snippet title="AWS CLI" text={cliCommand(request, location.origin)} testId="preview-cli" />
        </div>
      )}
    </details>
  );
}

function Snippet({ title, text, testId }: { title: string; text: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  const copy = (): void => {
    void navigator.clipboard?.writeText(text).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    });
  };
  return (
    <div class="cj-snippet">
      <div class="cj-snippet-head">
        <code class="small">{title}</code>
        <button type="button" class="btn btn-small" onClick={copy}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre class="code" data-testid={testId}>
        {text}
      </pre>
    </div>
  );
}
