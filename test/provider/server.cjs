#!/usr/bin/env node
/**
 * A real Terraform provider for the tests, in Node: `marker`, with one resource, `marker_value`
 * (`input` string in; `id` and `output` computed: the input's SHA-256 prefix and the input). It
 * is installed and run by Terraform like any other provider (go-plugin handshake on stdout, gRPC
 * over mutual TLS, protocol 6), so the tests can exercise what only a non-built-in provider
 * brings: `terraform init` downloading, unpacking and caching it. No provider can be downloaded
 * on the test machines, and this one is served by a network mirror on 127.0.0.1
 * (test/harness/provider-mirror.ts).
 *
 * Run by Terraform only: it refuses to start without go-plugin's magic cookie and client
 * certificate. MARKER_PROVIDER_TLS_DIR names a folder with server.pem and server.key (made once
 * by the harness: a certificate for "localhost").
 *
 * Cloud latency, for benchmarks: creating, updating and deleting a `marker_value` takes a delay
 * (planning and reading never wait), in milliseconds, taken from the first of:
 *   1. the resource's optional number attribute `delay_ms`;
 *   2. the provider block's optional `delay_ms` (`provider "marker" { delay_ms = 5000 }`);
 *   3. MARKER_PROVIDER_DELAY_MS in the provider's environment;
 *   default: none (0, the tests' behaviour).
 * Use 1 or 2 to compare runners: they travel with the rendered project, so our engine and a raw
 * `terraform apply` of the same files wait the same time. The environment variable reaches the
 * provider only where Terraform runs with the caller's environment: the engine gives its
 * Terraform a minimal environment of its own, so it never sees it.
 *
 * Proof of what was applied: each completed create, update or delete appends one JSON line,
 * written after the delay, to the file named by the provider block's `log_file` (else
 * MARKER_PROVIDER_LOG; none: no log):
 *   {"op":"create"|"update"|"delete","id":"<resource id>","input":"<input>","pid":<pid>,"at":"<ISO time>"}
 * The id is the input's SHA-256 prefix, so two creates with one id mean one resource applied
 * twice. An append of one short line is atomic on a local file system: many providers (several
 * runners on one machine) may share the file.
 */
'use strict';
const { createHash, X509Certificate } = require('node:crypto');
const { appendFileSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { decode, encode, ExtData } = require('@msgpack/msgpack');

const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
const MAGIC_COOKIE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';

if (process.env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE || !process.env.PLUGIN_CLIENT_CERT) {
  process.stderr.write('This is a Terraform provider: only Terraform starts it.\n');
  process.exit(1);
}

const definition = protoLoader.loadSync(
  [join(__dirname, 'tfplugin6.proto'), join(__dirname, 'grpc_controller.proto')],
  { keepCase: true, longs: Number, enums: Number, defaults: true },
);
const { tfplugin6, plugin } = grpc.loadPackageDefinition(definition);

const STRING = Buffer.from('"string"');
const NUMBER = Buffer.from('"number"');
const schema = {
  version: 0,
  block: {
    version: 0,
    attributes: [
      { name: 'id', type: STRING, computed: true },
      { name: 'input', type: STRING, required: true },
      { name: 'output', type: STRING, computed: true },
      { name: 'delay_ms', type: NUMBER, optional: true },
    ],
  },
};

/** An unknown value of cty's msgpack encoding (extension type 0, or 12 with refinements). */
function isUnknown(value) {
  return value instanceof ExtData;
}

/** The resource's values from a DynamicValue (msgpack from Terraform; null for none). */
function objectOf(dynamic) {
  if (!dynamic) return null;
  if (dynamic.msgpack && dynamic.msgpack.length > 0) return decode(dynamic.msgpack);
  if (dynamic.json && dynamic.json.length > 0) return JSON.parse(dynamic.json.toString('utf8'));
  return null;
}

const UNKNOWN = new ExtData(0, new Uint8Array([0]));

/** The planned or applied object: computed values follow from the input (unknown while it is). */
function withComputed(object) {
  if (object === null) return null;
  const input = object.input;
  const delay = object.delay_ms ?? null;
  if (isUnknown(input)) return { id: UNKNOWN, input, output: UNKNOWN, delay_ms: delay };
  const id = createHash('sha256').update(String(input)).digest('hex').slice(0, 16);
  return { id, input, output: input, delay_ms: delay };
}

/** The provider block's settings (ConfigureProvider). */
const configured = { delayMs: undefined, logFile: undefined };

/** How long a change of this resource takes (see the header). */
function delayOf(object) {
  const own = object?.delay_ms;
  const value =
    own !== null && own !== undefined
      ? own
      : (configured.delayMs ?? process.env.MARKER_PROVIDER_DELAY_MS);
  const ms = Number(value ?? 0);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** Appends a completed change to the log file, if there is one (see the header). */
function logChange(op, object) {
  const file = configured.logFile ?? process.env.MARKER_PROVIDER_LOG;
  if (!file || !object) return;
  const line = {
    op,
    id: object.id,
    input: object.input,
    pid: process.pid,
    at: new Date().toISOString(),
  };
  appendFileSync(file, `${JSON.stringify(line)}\n`);
}

function dynamic(object) {
  return { msgpack: Buffer.from(encode(object)) };
}

const provider = {
  GetProviderSchema(_call, callback) {
    callback(null, {
      provider: {
        version: 0,
        block: {
          version: 0,
          attributes: [
            { name: 'delay_ms', type: NUMBER, optional: true },
            { name: 'log_file', type: STRING, optional: true },
          ],
        },
      },
      resource_schemas: { marker_value: schema },
      diagnostics: [],
      server_capabilities: { plan_destroy: false, get_provider_schema_optional: false },
    });
  },
  ValidateProviderConfig(_call, callback) {
    callback(null, { diagnostics: [] });
  },
  ValidateResourceConfig(_call, callback) {
    callback(null, { diagnostics: [] });
  },
  ConfigureProvider(call, callback) {
    const config = objectOf(call.request.config) ?? {};
    if (typeof config.delay_ms === 'number') configured.delayMs = config.delay_ms;
    if (typeof config.log_file === 'string') configured.logFile = config.log_file;
    callback(null, { diagnostics: [] });
  },
  UpgradeResourceState(call, callback) {
    callback(null, { upgraded_state: { json: call.request.raw_state.json }, diagnostics: [] });
  },
  ReadResource(call, callback) {
    callback(null, { new_state: call.request.current_state, diagnostics: [] });
  },
  PlanResourceChange(call, callback) {
    const proposed = objectOf(call.request.proposed_new_state);
    callback(null, { planned_state: dynamic(withComputed(proposed)), diagnostics: [] });
  },
  ApplyResourceChange(call, callback) {
    const prior = objectOf(call.request.prior_state);
    const planned = withComputed(objectOf(call.request.planned_state));
    const op = planned === null ? 'delete' : prior === null ? 'create' : 'update';
    setTimeout(
      () => {
        logChange(op, planned ?? prior);
        callback(null, { new_state: dynamic(planned), diagnostics: [] });
      },
      delayOf(planned ?? prior),
    );
  },
  StopProvider(_call, callback) {
    callback(null, { Error: '' });
  },
};

const tlsDir = process.env.MARKER_PROVIDER_TLS_DIR ?? __dirname;
const serverCert = readFileSync(join(tlsDir, 'server.pem'));
const credentials = grpc.ServerCredentials.createSsl(
  Buffer.from(process.env.PLUGIN_CLIENT_CERT),
  [{ private_key: readFileSync(join(tlsDir, 'server.key')), cert_chain: serverCert }],
  true,
);
const server = new grpc.Server();
server.addService(tfplugin6.Provider.service, provider);
server.addService(plugin.GRPCController.service, {
  Shutdown(_call, callback) {
    callback(null, {});
    // After the answer is on its way: Terraform waits for the process to end.
    setImmediate(() => server.tryShutdown(() => process.exit(0)));
  },
});
server.bindAsync('127.0.0.1:0', credentials, (error, port) => {
  if (error) {
    process.stderr.write(`marker provider: cannot listen: ${error.message}\n`);
    process.exit(1);
  }
  // go-plugin's handshake: core version | protocol version | network | address | protocol | cert
  const der = new X509Certificate(serverCert).raw.toString('base64').replace(/=+$/, '');
  process.stdout.write(`1|6|tcp|127.0.0.1:${port}|grpc|${der}\n`);
});

// Terraform kills the provider when it is done with it; a closed stdin means the same.
process.on('SIGINT', () => undefined);
