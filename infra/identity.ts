/**
 * Identity (ARCHITECTURE.md §6): who may call the JWT routes. Either an external OIDC
 * issuer from context, or a Cognito user pool created here.
 */
import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  Mfa,
  OAuthScope,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { GitlinkContext } from './context';

export interface IdentityProps {
  ctx: GitlinkContext;
  /** The UI's origin with a trailing slash (custom domain or the API stage URL). */
  appUrl: string;
}

export class Identity extends Construct {
  /** Exactly the `iss` the authorizer accepts. */
  readonly issuer: string;
  /** Accepted `aud` (ID token) or `client_id` (Cognito access token) values. */
  readonly audience: string[];
  /** The client the web UI signs in with (OIDC_CLIENT_ID). */
  readonly clientId: string;
  readonly userPool?: UserPool;
  readonly client?: UserPoolClient;
  readonly domain?: UserPoolDomain;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const { ctx } = props;
    if (ctx.issuer && ctx.audience?.[0]) {
      this.issuer = ctx.issuer;
      this.audience = ctx.audience;
      // The UI signs in as the first audience: with most issuers that is the app's client id.
      this.clientId = ctx.audience[0];
      return;
    }

    this.userPool = new UserPool(this, 'UserPool', {
      // Admins invite developers; an open sign-up would let anyone mint environment tokens.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      // A gitlink session can mint tokens that push to every linked repository: require TOTP.
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: ctx.deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus tier (threat protection) is billed per active user; with invite-only sign-up and required TOTP MFA the default tier is an acceptable baseline. Operators may switch featurePlan to PLUS.',
    });

    // The browser's OIDC redirect lands on the UI root; the UI must send exactly this redirect_uri.
    this.client = this.userPool.addClient('WebClient', {
      // A browser app cannot keep a secret: public client, authorization code + PKCE (RFC 7636).
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [props.appUrl],
        logoutUrls: [props.appUrl],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
    });

    // The hosted sign-in pages need a domain; the prefix is global per region, so it carries the account id.
    const prefix = Stack.of(this).stackName.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: `${prefix}-${Aws.ACCOUNT_ID}` } });

    new UserPoolGroup(this, 'Admins', {
      userPool: this.userPool,
      groupName: ctx.adminGroup,
      description: 'gitlink administrators: manage providers',
    });

    // Spelled out like CDK's HttpUserPoolAuthorizer does: this is the token's `iss` byte for byte.
    const stack = Stack.of(this);
    this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;
    this.clientId = this.client.userPoolClientId;
    this.audience = [this.clientId];
  }
}
