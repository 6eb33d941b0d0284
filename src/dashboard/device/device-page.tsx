/** Placeholder until this page is built. */
export function DevicePage({ thing }: { thing: string }) {
  return <section class="panel"><p>{thing}</p></section>;
}
