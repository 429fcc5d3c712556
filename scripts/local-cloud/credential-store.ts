/**
 * The local cloud's view of which access keys exist. The local STS issues temporary keys into it, the local OSS
 * looks keys up in it, so a URL signed with an expired or unknown key fails locally the way it fails on OSS.
 */
export interface IssuedCredential {
  accessKeyId: string;
  accessKeySecret: string;
  /** Present for temporary (STS) keys: the holder must present exactly this token. */
  securityToken?: string;
  /** Present for temporary keys: after this instant OSS answers SecurityTokenExpired. */
  expiration?: Date;
}

export class CredentialStore {
  private readonly byAccessKeyId = new Map<string, IssuedCredential>();

  add(credential: IssuedCredential): IssuedCredential {
    this.byAccessKeyId.set(credential.accessKeyId, credential);
    return credential;
  }

  lookup(accessKeyId: string): IssuedCredential | undefined {
    return this.byAccessKeyId.get(accessKeyId);
  }

  remove(accessKeyId: string): void {
    this.byAccessKeyId.delete(accessKeyId);
  }
}
