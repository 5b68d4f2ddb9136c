// The one key for "this host on this port", used wherever a feature or the judge keeps
// something per host:port. Host names are case-insensitive, so the key is lower-cased:
// `API.example.com:443` and `api.example.com:443` are one host everywhere (as the judge
// groups them), never two for one feature and one for another.

export function hostPortKey(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`;
}
