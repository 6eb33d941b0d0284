/** Placeholder until this page is built. */
export function JobPage({ jobId }: { jobId: string }) {
  return <section class="panel"><p>{jobId}</p></section>;
}
