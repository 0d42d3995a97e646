/** Where the operator's API is, for the dashboard's own server-side calls. */
export function apiUrl(): string {
  return (process.env['TOFU_OPERATOR_API_URL'] ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
}

/** Whether the request reached the dashboard over https (directly or through a TLS proxy). */
export function isHttps(req: Request): boolean {
  return (
    new URL(req.url).protocol === 'https:' ||
    req.headers.get('x-forwarded-proto') === 'https' ||
    !!process.env['DASHBOARD_PUBLIC_URL']?.startsWith('https:')
  );
}
