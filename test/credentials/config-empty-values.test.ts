import { readCredentialConfig } from '../../shared/credentials';

/** s.yaml passes '' for every var left blank; each must read as unset, not as a value. */
describe('empty signer-role variables read as unset', () => {
  const base = { SIGNER_ROLE_ARN: 'acs:ram::1234567890123456:role/signer', OSS_BUCKET: 'my-bucket', FC_REGION: 'cn-shanghai' };

  it('SIGNER_SESSION_POLICY="" is the default (auto), not an error', () => {
    const role = readCredentialConfig({ ...base, SIGNER_SESSION_POLICY: '' }).signerRole;
    expect(role?.policy).toContain('my-bucket');
  });

  it('SIGNER_POLICY_ACTIONS="" keeps the default actions', () => {
    expect(readCredentialConfig({ ...base, SIGNER_POLICY_ACTIONS: '' }).signerRole?.policy).toBe(readCredentialConfig(base).signerRole?.policy);
  });

  it('SIGNER_STS_REGION="" falls back to the function region', () => {
    expect(readCredentialConfig({ ...base, SIGNER_STS_REGION: '' }).signerRole?.region).toBe('cn-shanghai');
  });

  it('a bad non-empty value is still refused', () => {
    expect(() => readCredentialConfig({ ...base, SIGNER_SESSION_POLICY: 'sometimes' })).toThrow(/^SIGNER_SESSION_POLICY: /);
  });
});
