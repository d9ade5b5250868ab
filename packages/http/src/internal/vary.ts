// Adds a name to the `Vary` response header once.

export function appendVary(headers: Headers, name: string): void {
  const current = headers.get('vary');
  if (current === null) {
    headers.set('vary', name);
    return;
  }
  const lower = name.toLowerCase();
  if (current.split(',').some((part) => part.trim().toLowerCase() === lower || part.trim() === '*')) return;
  headers.set('vary', `${current}, ${name}`);
}
