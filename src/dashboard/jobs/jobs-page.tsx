/** Placeholder until this page is built. */
export function JobsPage() {
  return <section class="panel"><p>coming</p></section>;
}
