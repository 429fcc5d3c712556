import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { readServicePolicy } from '../../shared/config/policy';
import { readCredentialConfig } from '../../shared/credentials/config';
import { envReads } from '../../scripts/fc/env-scan';
import { commentedExamples, environmentOf, loadSYaml, readRawSYaml, resolveSnippet, type SResource } from '../../scripts/fc/s-yaml';
import { OSS_TRIGGER_EVENTS } from '../../scripts/local-stack';

const ROOT = path.resolve(__dirname, '../..');
// A copy of ../shared/fc3/s-yaml-fc3-schema.json (the fc3 component's schema for props), so a clean clone has it.
const SCHEMA = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/s-yaml-fc3-schema.json'), 'utf8')) as object;
const DOCS = readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');

const ajv = new Ajv({ allErrors: true, strict: false });
const validateProps = ajv.compile(SCHEMA);
// The schema's triggerConfig is an anyOf of every trigger type, and some of those (timer, EventBridge) require so
// little that a broken HTTP config still passes as one of them: HTTP triggers are also checked against their own type.
const validateHttpTrigger = ajv.compile({ definitions: (SCHEMA as { definitions: object }).definitions, $ref: '#/definitions/IHttpTriggerConfig' });
const httpTriggerErrors = (config: unknown) => (validateHttpTrigger(config) ? [] : (validateHttpTrigger.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

const s = loadSYaml();
const resources = Object.entries(s.resources);
const codeReads = envReads(ROOT);

function errorsOf(props: unknown): string[] {
  return validateProps(props) ? [] : (validateProps.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('s.yaml', () => {
  it('is a Serverless Devs 3.0 application of two fc3 resources, presign_put and presign_get', () => {
    const raw = readRawSYaml();
    expect(raw.edition).toBe('3.0.0');
    expect(Object.keys(s.resources).sort()).toEqual(['presign_get', 'presign_put']);
    for (const [, r] of resources) expect(r.component).toBe('fc3');
  });

  it.each(resources)('%s: props validate against the fc3 component schema, with every ${vars.*} resolved', (_name, r) => {
    expect(errorsOf(r.props)).toEqual([]);
  });

  it.each(resources)('%s: each HTTP trigger config validates as the schema\'s IHttpTriggerConfig', (_name, r) => {
    const http = (r.props.triggers as { triggerType: string; triggerConfig: unknown }[]).filter((t) => t.triggerType === 'http');
    expect(http.length).toBeGreaterThan(0);
    for (const t of http) expect(httpTriggerErrors(t.triggerConfig)).toEqual([]);
  });

  it('the schema checks are live: memorySize off the 64 MB grid, a string timeout, a number env value, a bad method', () => {
    const props = s.resources.presign_put?.props as SResource['props'];
    expect(errorsOf({ ...props, memorySize: 100 }).join()).toMatch(/memorySize/);
    expect(errorsOf({ ...props, timeout: '5' }).join()).toMatch(/timeout/);
    expect(errorsOf({ ...props, environmentVariables: { OSS_BUCKET: 5 } }).join()).toMatch(/environmentVariables/);
    expect(errorsOf({ ...props, runtime: 'nodejs22' }).join()).toMatch(/runtime/);
    expect(httpTriggerErrors({ authType: 'function', methods: ['FETCH'] }).join()).toMatch(/\/methods\/0/);
    expect(httpTriggerErrors({ authType: 'none', methods: ['GET'] }).join()).toMatch(/\/authType/);
    expect(httpTriggerErrors({ authType: 'function' }).join()).toMatch(/methods/);
  });

  it.each(resources)('%s: nodejs20, index.handler, code in dist/, small memory, short timeout, role, logConfig auto', (name, r) => {
    const p = r.props;
    expect(p.runtime).toBe('nodejs20');
    expect(p.handler).toBe('index.handler');
    expect(p.code).toBe(`./dist/${name.replace('_', '-')}`);
    expect(p.memorySize).toBe(128);
    expect(p.timeout).toBeLessThanOrEqual(10);
    expect(typeof p.role).toBe('string');
    expect(p.logConfig).toBe('auto');
  });

  it('HTTP triggers: function auth by default; presign-put takes POST and OPTIONS, presign-get GET, POST and OPTIONS', () => {
    const http = (r: SResource | undefined) => (r?.props.triggers as { triggerType: string; triggerConfig: { authType: string; methods: string[] } }[]).filter((t) => t.triggerType === 'http');
    const put = http(s.resources.presign_put);
    const get = http(s.resources.presign_get);
    expect(put).toHaveLength(1);
    expect(get).toHaveLength(1);
    expect(put[0]?.triggerConfig.authType).toBe('function');
    expect(get[0]?.triggerConfig.authType).toBe('function');
    expect([...(put[0]?.triggerConfig.methods ?? [])].sort()).toEqual(['OPTIONS', 'POST']);
    expect([...(get[0]?.triggerConfig.methods ?? [])].sort()).toEqual(['GET', 'OPTIONS', 'POST']);
  });
});

describe('s.yaml\'s commented event-driven examples, uncommented as a user would', () => {
  const examples = commentedExamples();
  const get = s.resources.presign_get?.props as SResource['props'];
  const ACCOUNT = '1234567890123456';
  const snippet = (name: string) => {
    const text = examples.get(name);
    if (text === undefined || text.trim() === '') throw new Error(`s.yaml has no example ${name}`);
    return resolveSnippet(text, s.vars, ACCOUNT);
  };
  const ossTrigger = () => (snippet('oss-trigger') as Record<string, unknown>[])[0] as { triggerType: string; triggerConfig: { events: string[] } };
  const validateOss = ajv.compile({ definitions: (SCHEMA as { definitions: object }).definitions, $ref: '#/definitions/IOssTriggerConfig' });

  it('the OSS trigger lists every event that leaves a whole object, those the local OSS raises included, and validates', () => {
    const trigger = ossTrigger();
    expect(trigger.triggerType).toBe('oss');
    expect(validateOss(trigger.triggerConfig)).toBe(true);
    expect([...trigger.triggerConfig.events].sort()).toEqual(['oss:ObjectCreated:AppendObject', 'oss:ObjectCreated:CompleteMultipartUpload', 'oss:ObjectCreated:CopyObject', 'oss:ObjectCreated:PostObject', 'oss:ObjectCreated:PutObject', 'oss:ObjectCreated:PutSymlink']);
    for (const event of OSS_TRIGGER_EVENTS) expect(trigger.triggerConfig.events).toContain(event);
  });

  it.each(['async-to-mns', 'async-to-eventbridge'])('presign_get with the OSS trigger and %s validates against the fc3 schema', (name) => {
    const { asyncInvokeConfig } = snippet(name) as { asyncInvokeConfig: { destinationConfig: { onSuccess: { destination: string }; onFailure: { destination: string } } } };
    const props = { ...get, triggers: [...(get.triggers as unknown[]), ossTrigger()], asyncInvokeConfig };
    expect(errorsOf(props)).toEqual([]);
    expect(asyncInvokeConfig.destinationConfig.onSuccess.destination).toMatch(new RegExp(`^acs:(mns|eventbridge):${String(s.vars.region)}:${ACCOUNT}:`));
    expect(asyncInvokeConfig.destinationConfig.onFailure.destination).toMatch(/^acs:mns:.*:\/queues\/oss-presign-failures\/messages$/);
  });

  it('FC\'s own JWT authentication on the HTTP trigger (authType jwt: jwks, tokenLookup, claimPassBy) validates as the schema\'s IHttpTriggerConfig', () => {
    const [trigger] = snippet('http-jwt') as { triggerType: string; triggerConfig: { authType: string; authConfig: { jwks: { keys: { kty: string }[] }; tokenLookup: unknown[]; claimPassBy: unknown[] } } }[];
    expect(trigger?.triggerType).toBe('http');
    expect(httpTriggerErrors(trigger?.triggerConfig)).toEqual([]);
    expect(trigger?.triggerConfig).toMatchObject({ authType: 'jwt', authConfig: { tokenLookup: [{ readPosition: 'header', parameterName: 'Authorization' }], claimPassBy: [{ claimName: 'sub' }] } });
    // The check is live: a token read from nowhere, or no key at all, is refused.
    expect(httpTriggerErrors({ ...trigger?.triggerConfig, authConfig: { ...trigger?.triggerConfig.authConfig, tokenLookup: [{ readPosition: 'body', parameterName: 'x' }] } }).join()).toMatch(/readPosition|tokenLookup/);
    expect(httpTriggerErrors({ ...trigger?.triggerConfig, authConfig: { tokenLookup: trigger?.triggerConfig.authConfig.tokenLookup } }).join()).toMatch(/jwks/);
  });

  it('the schema check of the examples is live: an unknown OSS event or a retry count over 8 is refused', () => {
    const trigger = ossTrigger();
    expect(validateOss({ ...trigger.triggerConfig, events: ['oss:ObjectCreated:Everything'] })).toBe(false);
    const { asyncInvokeConfig } = snippet('async-to-mns') as { asyncInvokeConfig: object };
    expect(errorsOf({ ...get, asyncInvokeConfig: { ...asyncInvokeConfig, maxAsyncRetryAttempts: 9 } }).join()).toMatch(/maxAsyncRetryAttempts/);
  });
});

describe('environment variables: s.yaml, the code and the docs agree', () => {
  const deployed = new Set(resources.flatMap(([, r]) => Object.keys(r.props.environmentVariables ?? {})));

  it('the source scan finds the readers it must (a scan that found nothing would prove nothing)', () => {
    for (const name of ['OSS_BUCKET', 'PRESIGN_MAX_EXPIRES', 'SIGNER_ROLE_ARN', 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'FC_REGION']) expect(codeReads.has(name)).toBe(true);
  });

  it('every variable s.yaml sets is read by the code in shared/ or functions/', () => {
    const unread = [...deployed].filter((name) => !codeReads.has(name));
    expect(unread).toEqual([]);
  });

  it('every variable the code reads is documented in docs/operations.md', () => {
    const undocumented = [...codeReads.keys()].filter((name) => !DOCS.includes(`\`${name}\``)).map((name) => `${name} (${codeReads.get(name)?.join(', ')})`);
    expect(undocumented).toEqual([]);
  });

  it('every variable the code reads is either set in s.yaml or documented as set by FC / used off FC only', () => {
    const platformOrOffFc = DOCS.slice(DOCS.indexOf('### Set by Function Compute'), DOCS.indexOf('## RAM'));
    const neither = [...codeReads.keys()].filter((name) => !deployed.has(name) && !platformOrOffFc.includes(`\`${name}\``));
    expect(neither).toEqual([]);
    // FC reserves FC_* and supplies the role's key itself: neither belongs in s.yaml.
    expect([...deployed].filter((name) => name.startsWith('FC_') || name.includes('ACCESS_KEY') || name.endsWith('_TOKEN'))).toEqual([]);
  });

  it('both functions get the same policy, and every value is a string (FC environment values are strings)', () => {
    const [put, get] = [s.resources.presign_put, s.resources.presign_get].map((r) => r?.props.environmentVariables);
    expect(get).toEqual(put);
    for (const value of Object.values(put ?? {})) expect(typeof value).toBe('string');
  });

  // The cold-start readers are what a deployment with these values runs; empty strings stand for "unset".
  it('the environment s.yaml deploys passes the cold-start config readers, with and without a signer role', () => {
    const env = { ...environmentOf(s.resources.presign_put as SResource), FC_REGION: 'cn-hangzhou', FC_FUNCTION_NAME: 'oss-presign-put' };
    expect(readServicePolicy(env).defaultBucket).toBe(s.vars.ossBucket);
    expect(readCredentialConfig(env).signerRole).toBeNull();
    const withRole = environmentOf(loadSYaml(undefined, { signerRoleArn: 'acs:ram::1234567890123456:role/oss-presign-signer' }).resources.presign_put as SResource);
    const config = readCredentialConfig({ ...withRole, FC_REGION: 'cn-hangzhou', FC_FUNCTION_NAME: 'oss-presign-put' });
    expect(config.signerRole).toMatchObject({ roleArn: 'acs:ram::1234567890123456:role/oss-presign-signer', sessionSeconds: 3600, region: 'cn-hangzhou' });
    expect(config.signerRole?.policy).toContain(`acs:oss:*:*:${String(s.vars.ossBucket)}/uploads/*`);
  });

  it('the readers would catch a bad var: an expiry above 7 days stops the cold start with the variable named', () => {
    const bad = environmentOf(loadSYaml(undefined, { presignMaxExpires: '700000' }).resources.presign_put as SResource);
    expect(() => readServicePolicy(bad)).toThrow(/PRESIGN_MAX_EXPIRES/);
  });
});
