/** Placeholder until this page is built. */
export function CreateJobPage() {
  return <section class="panel"><p>coming</p></section>;
}
