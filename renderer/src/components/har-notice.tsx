// An imported HAR file is traffic only: HAR records HTTP requests and answers, not the TLS
// handshakes (which certificate the app was shown, whether it refused it) that every
// Pinprobe verdict rests on. Shown in place of the hosts board, so an empty board is never
// read as "nothing wrong".
export function HarNoVerdicts({ file, requests, onOpenTraffic }: { file: string; requests: number; onOpenTraffic: () => void }) {
  return (
    <section className="empty har-notice" aria-label="No verdicts for a HAR file">
      <h2>No verdicts for a HAR file</h2>
      <p>
        <span className="mono">{file}</span> is a HAR file, opened read-only. HAR holds HTTP requests and their answers, but not the TLS handshakes
        Pinprobe judges — which certificate the app was shown and whether it refused it — so there is nothing to say about pinning, certificate
        validation or mTLS here.
      </p>
      <p>
        Its {requests.toLocaleString()} request{requests === 1 ? '' : 's'} are in Traffic, with headers, bodies and previews. To get verdicts,
        record the app through Pinprobe.
      </p>
      <button type="button" onClick={onOpenTraffic}>
        Open Traffic
      </button>
    </section>
  );
}
