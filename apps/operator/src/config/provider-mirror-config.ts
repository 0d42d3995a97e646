// The operator-wide provider network mirror (TOFU_OPERATOR_PROVIDER_MIRROR_URL and
// TOFU_OPERATOR_PROVIDER_MIRROR_CA_CONFIGMAP): where every runner installs providers from, and the
// ConfigMap key in the run's namespace that holds the CA of its certificate.

/** A ConfigMap key in the run's namespace. */
export interface ConfigMapKeyRef {
  name: string;
  key: string;
}

/** Where runners install providers from. */
export interface ProviderMirrorSettings {
  /** The mirror's base URL: https, no credentials, ending in "/". */
  url: string;
  /** The CA of the mirror's certificate, when the image's roots do not cover it. */
  caConfigMap?: ConfigMapKeyRef;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * Reads the two settings; undefined when the URL is unset. Pure; throws fail(message) naming the
 * variable for a URL that is not https, carries credentials, a query or a fragment, for a CA without
 * a URL, and for a CA that is not `<configmap>/<key>`.
 */
export function parseProviderMirror(
  url: string | undefined,
  ca: string | undefined,
  names: { url: string; ca: string },
  fail: (message: string) => Error,
): ProviderMirrorSettings | undefined {
  if (!url) {
    if (ca) throw fail(`${names.ca} is "${ca}" but ${names.url} is not set: the CA is that of the mirror's certificate`);
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw fail(`${names.url} must be a URL like https://mirror.example.com/providers/, got "${url}" (${(err as Error).message})`);
  }
  if (parsed.protocol !== 'https:')
    throw fail(`${names.url} must be an https:// URL (OpenTofu requires one for a network mirror), got "${url}"`);
  if (parsed.username || parsed.password) throw fail(`${names.url} must not carry credentials`);
  if (parsed.search || parsed.hash) throw fail(`${names.url} must have no query or fragment, got "${url}"`);
  const href = parsed.href.endsWith('/') ? parsed.href : `${parsed.href}/`;
  if (!ca) return { url: href };
  const slash = ca.indexOf('/');
  const name = ca.slice(0, slash);
  const key = ca.slice(slash + 1);
  if (slash < 0 || !DNS_SUBDOMAIN.test(name) || name.length > 253 || !CONFIGMAP_KEY.test(key) || key.length > 253) {
    throw fail(
      `${names.ca} must be <configmap>/<key> (a ConfigMap of the run's namespace and its key), e.g. kube-root-ca.crt/ca.crt, got "${ca}"`,
    );
  }
  return { url: href, caConfigMap: { name, key } };
}
