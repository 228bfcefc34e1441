/** Keys: the two symmetric KMS keys of ARCHITECTURE.md §5. */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { SIGNING_PURPOSE } from '@shared/crypto/port';


export class Keys extends Construct {
  /** Encrypts provider tokens, PKCE verifiers and SSH private keys (KMS Encrypt/Decrypt). */
  readonly tokenKey: Key;
  /** Wraps Bitbucket RSA data key pairs (GenerateDataKeyPairWithoutPlaintext / Decrypt). */
  readonly signingKey: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // Separate keys so a grant on one never opens the other: most functions decrypt
    // tokens, only the signers may unwrap a Bitbucket private key.
    const common = {
      enableKeyRotation: true,
      // Losing a key loses every ciphertext in the table, so keys outlive the stack,
      // and a scheduled deletion can be cancelled for the longest window KMS allows.
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    };
    this.tokenKey = new Key(this, 'TokenKey', { ...common, description: 'gitlink: provider tokens and SSH private keys' });
    this.signingKey = new Key(this, 'SigningKey', {
      ...common,
      description: `gitlink: Bitbucket Server signing key pairs (context purpose=${SIGNING_PURPOSE})`,
    });
  }
}
