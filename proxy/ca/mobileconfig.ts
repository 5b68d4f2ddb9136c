// An iOS configuration profile that installs one root certificate. Its UUIDs are derived
// from the certificate, so exporting the same CA twice gives the same profile and iOS
// treats a re-install as an update rather than a second profile.
import { createHash, X509Certificate } from 'node:crypto';

// Fixed namespace for Pinprobe's name-based (v5) UUIDs; any constant works, it must never change.
const UUID_NAMESPACE = Buffer.from('6f1c2b7e9a4d4c55b0e3d2a18f7c6e41', 'hex');

function uuidV5(name: string): string {
  const hash = createHash('sha1').update(UUID_NAMESPACE).update(name, 'utf8').digest().subarray(0, 16);
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function base64Lines(data: Buffer, indent: string): string {
  return (data.toString('base64').match(/.{1,64}/g) ?? []).map((l) => indent + l).join('\n');
}

export function rootCaMobileconfig(certDer: Buffer, subject: string): string {
  const fingerprint = new X509Certificate(certDer).fingerprint256.replace(/:/g, '').toLowerCase();
  const id = `com.pinprobe.ca.${fingerprint.slice(0, 16)}`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
\t<key>PayloadContent</key>
\t<array>
\t\t<dict>
\t\t\t<key>PayloadCertificateFileName</key>
\t\t\t<string>pinprobe-ca.cer</string>
\t\t\t<key>PayloadContent</key>
\t\t\t<data>
${base64Lines(certDer, '\t\t\t')}
\t\t\t</data>
\t\t\t<key>PayloadDescription</key>
\t\t\t<string>Adds the Pinprobe root certificate</string>
\t\t\t<key>PayloadDisplayName</key>
\t\t\t<string>${xml(subject)}</string>
\t\t\t<key>PayloadIdentifier</key>
\t\t\t<string>${id}.root</string>
\t\t\t<key>PayloadType</key>
\t\t\t<string>com.apple.security.root</string>
\t\t\t<key>PayloadUUID</key>
\t\t\t<string>${uuidV5(`root-payload:${fingerprint}`)}</string>
\t\t\t<key>PayloadVersion</key>
\t\t\t<integer>1</integer>
\t\t</dict>
\t</array>
\t<key>PayloadDescription</key>
\t<string>Lets Pinprobe intercept this device's TLS traffic for testing. After installing, enable full trust in Settings &gt; General &gt; About &gt; Certificate Trust Settings. Remove the profile when testing is done.</string>
\t<key>PayloadDisplayName</key>
\t<string>${xml(`Pinprobe: ${subject}`)}</string>
\t<key>PayloadIdentifier</key>
\t<string>${id}</string>
\t<key>PayloadOrganization</key>
\t<string>Pinprobe</string>
\t<key>PayloadRemovalDisallowed</key>
\t<false/>
\t<key>PayloadType</key>
\t<string>Configuration</string>
\t<key>PayloadUUID</key>
\t<string>${uuidV5(`profile:${fingerprint}`)}</string>
\t<key>PayloadVersion</key>
\t<integer>1</integer>
</dict>
</plist>
`;
}
