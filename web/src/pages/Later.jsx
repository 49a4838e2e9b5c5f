// A page that is in the navigation but not built yet: says what it will show.
export function LaterPage({ title, children }) {
  return (
    <section class="page" aria-labelledby="later-title">
      <h1 id="later-title">{title}</h1>
      <div class="card later">
        <p><strong>Coming later.</strong> {children}</p>
      </div>
    </section>
  );
}
