#!/usr/bin/env node
// mockttp 4 as a plain intercepting proxy (the benchmark's peer): every request passed
// through to its origin, trusting the benchmark's origin CA. Prints {"port":N} when listening.
import { readFileSync, writeFileSync } from 'node:fs';
import { importPeer } from './peers.mjs';

const { generateCACertificate, getLocal } = await importPeer('mockttp');

const [originCaPath, caOut] = process.argv.slice(2);
const ca = await generateCACertificate({ bits: 2048 });
writeFileSync(caOut, ca.cert);
const server = getLocal({ https: { key: ca.key, cert: ca.cert }, recordTraffic: false });
await server.forAnyRequest().thenPassThrough({ additionalTrustedCAs: [{ cert: readFileSync(originCaPath, 'utf8') }] });
await server.start(Number(process.env.MOCKTTP_PORT) || undefined);
process.stdout.write(JSON.stringify({ port: server.port }) + '\n');
const stop = () => void server.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
