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
 */
'use strict';
const { createHash, X509Certificate } = require('node:crypto');
const { readFileSync } = require('node:fs');
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
const schema = {
  version: 0,
  block: {
    version: 0,
    attributes: [
      { name: 'id', type: STRING, computed: true },
      { name: 'input', type: STRING, required: true },
      { name: 'output', type: STRING, computed: true },
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
  if (isUnknown(input)) return { id: UNKNOWN, input, output: UNKNOWN };
  const id = createHash('sha256').update(String(input)).digest('hex').slice(0, 16);
  return { id, input, output: input };
}

function dynamic(object) {
  return { msgpack: Buffer.from(encode(object)) };
}

const provider = {
  GetProviderSchema(_call, callback) {
    callback(null, {
      provider: { version: 0, block: { version: 0, attributes: [] } },
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
  ConfigureProvider(_call, callback) {
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
    const planned = objectOf(call.request.planned_state);
    callback(null, { new_state: dynamic(withComputed(planned)), diagnostics: [] });
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
